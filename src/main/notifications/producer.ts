/**
 * The core's notifications producer (issue 15): after the cache took what the server sent
 * (a pull, a push's answers), it looks at what is new there for the agent logged in, and
 * once in a while at their deadlines. Produced here, in the core, never in a screen: every
 * window (and the system's notifications) then says the same.
 *
 * - assigned: a history `assigned` event naming the agent, by someone else;
 * - mention: a comment by someone else containing `@login`;
 * - conflict: a change of this console the server answered with a conflict or a refusal;
 * - sla_soon: one of the agent's open requests with less than the threshold (business time)
 *   left, once per request and deadline.
 *
 * What was in the cache before the agent's first login here never notifies (the watermark
 * `since`, and the last history event looked at). A kind turned off (by the agent, or by IT)
 * is not produced at all.
 */
import type { AppConfig } from '../../core/config'
import type { SessionInfo } from '../../shared/contract'
import type { NotificationKind } from '../../shared/channels/notifications'
import { addBusinessMs, businessMsBetween, type BusinessCalendar } from '../../core/workflow/sla'
import type { Db } from '../cache/db'
import {
  commentOf,
  conflictsSince,
  getWatch,
  wasNotified,
  historyAfter,
  insertNotification,
  kindsTurnedOff,
  lastHistoryId,
  openDeadlinesOf,
  pruneNotifications,
  putWatch,
  type NewNotification,
  type NotificationWatch,
} from '../cache/queries/notifications'

export interface ProducerDeps {
  db: Db
  config: Pick<AppConfig, 'consoleNotifications'>
  calendar: BusinessCalendar
  now: () => number
  session: () => SessionInfo | null
  /**
   * The cache is still filling from the server (a first download and its histories): what
   * it takes then predates the agent's use of this console, and is not read event by event.
   */
  filling: () => boolean
}

/** History events looked at per step: a big pull is read in slices, not held at once. */
const HISTORY_SLICE = 2000
/** History events looked at before the cursor is written back without a notification. */
const SAVE_CURSOR_AFTER = 5000

const CONFIG_KEY: Record<NotificationKind, 'assigned' | 'slaSoon' | 'conflict' | 'mention'> = {
  assigned: 'assigned',
  sla_soon: 'slaSoon',
  conflict: 'conflict',
  mention: 'mention',
}

/** Turned off on this workstation by its configuration (IT): the agent's switch does not apply. */
export function forcedOff(config: ProducerDeps['config'], kind: NotificationKind): boolean {
  return !config.consoleNotifications[CONFIG_KEY[kind]]
}

/** `@login` as a word of its own (`@zoe.agent,` yes; `@zoe.agent2`, `x@zoe.agent` no). */
export function mentions(body: string, login: string): boolean {
  const escaped = login.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  return new RegExp(`(^|[^\\p{L}\\p{N}_.@])@${escaped}(?![\\p{L}\\p{N}_-]|\\.[\\p{L}\\p{N}])`, 'iu').test(
    body,
  )
}

export function createNotificationProducer(deps: ProducerDeps) {
  const { db } = deps
  /** Whether the cache was filling at the last look: the look after it skips the histories it took. */
  let wasFilling = false

  /**
   * Each agent's watermark, made at their first look (what the cache held before never
   * notifies) and kept here; the cursor is written back with a new notification, or once it
   * moved far. Losing a move is harmless: each event notifies once (`dedup_key`).
   */
  const watches = new Map<string, { watch: NotificationWatch; savedCursor: number }>()
  function watchOf(login: string): { watch: NotificationWatch; savedCursor: number } {
    const kept = watches.get(login.toLowerCase())
    if (kept) return kept
    let watch = getWatch(db, login)
    if (!watch) {
      watch = { since: deps.now(), historyCursor: lastHistoryId(db) }
      putWatch(db, login, watch)
    }
    // Once a run: a month's notifications at most, even for an agent nothing new reached.
    pruneNotifications(db, login, deps.now())
    const entry = { watch, savedCursor: watch.historyCursor }
    watches.set(login.toLowerCase(), entry)
    return entry
  }

  function fromHistory(session: SessionInfo, watch: NotificationWatch, add: (n: NewNotification) => void) {
    const upTo = lastHistoryId(db)
    for (;;) {
      const events = historyAfter(
        db,
        { cursor: watch.historyCursor, upTo },
        watch.since,
        session.agentId,
        HISTORY_SLICE,
      )
      for (const e of events) {
        watch.historyCursor = e.id
        // Older than the agent's first look (a request pulled again, a first download's history).
        if (e.at < watch.since || e.actorId === session.agentId) continue
        const data = JSON.parse(e.data) as { to?: unknown; commentId?: unknown }
        // The server's id when known: the same event pulled again (the request came back) is one event.
        const eventKey = e.serverId !== null ? `s${e.serverId}` : `l${e.id}`
        if (e.kind === 'assigned' && data.to === session.agentId)
          add({
            login: session.login,
            kind: 'assigned',
            dedupKey: `assigned:${eventKey}`,
            requestId: e.requestId,
            params: { actorName: e.actorName },
            createdAt: deps.now(),
          })
        else if (e.kind === 'commented' && typeof data.commentId === 'string') {
          const comment = commentOf(db, data.commentId)
          if (comment && comment.authorId !== session.agentId && mentions(comment.body, session.login))
            add({
              login: session.login,
              kind: 'mention',
              dedupKey: `mention:${data.commentId}`,
              requestId: e.requestId,
              params: { actorName: comment.authorName ?? e.actorName },
              createdAt: deps.now(),
            })
        }
      }
      if (events.length < HISTORY_SLICE) {
        // Everything up to `upTo` was looked at, the events filtered out in SQL included.
        watch.historyCursor = Math.max(watch.historyCursor, upTo)
        return
      }
    }
  }

  function fromConflicts(session: SessionInfo, watch: NotificationWatch, add: (n: NewNotification) => void) {
    for (const c of conflictsSince(db, watch.since))
      add({
        login: session.login,
        kind: 'conflict',
        dedupKey: `conflict:${c.id}`,
        requestId: c.requestId,
        params: { conflictKind: c.kind },
        createdAt: deps.now(),
      })
  }

  function fromDeadlines(session: SessionInfo, add: (n: NewNotification) => void) {
    const now = deps.now()
    const thresholdMs = deps.config.consoleNotifications.slaSoonMinutes * 60_000
    const horizon = addBusinessMs(now, thresholdMs, deps.calendar)
    for (const r of openDeadlinesOf(db, session.agentId, horizon)) {
      // Late already, or stopped while the request waits for the citizen: not « about to ».
      if (r.dueAt <= now || r.slaPausedSince !== null) continue
      const left = businessMsBetween(now, r.dueAt, deps.calendar)
      if (left > thresholdMs) continue
      add({
        login: session.login,
        kind: 'sla_soon',
        // Once per request and deadline: a new due date notifies again.
        dedupKey: `sla:${r.id}:${r.dueAt}`,
        requestId: r.id,
        params: { minutesLeft: Math.max(1, Math.round(left / 60_000)) },
        createdAt: now,
      })
    }
  }

  /**
   * Look for what is new for the agent logged in. `deadlines`: the timer's and a sync
   * round's look at the SLA too. Its caller (notifyingEmit.ts) keeps a failure from
   * failing the sync or the login that called it.
   * @returns whether a notification was added.
   */
  function check(options: { deadlines?: boolean } = {}): boolean {
    const session = deps.session()
    if (!session || !db.open) return false
    const off = kindsTurnedOff(db, session.login)
    const on = (kind: NotificationKind) => !off.has(kind) && !forcedOff(deps.config, kind)
    // Read first, written only when something is new: an agent's own click costs no write here.
    const found: NewNotification[] = []
    const add = (n: NewNotification) => {
      if (on(n.kind) && !wasNotified(db, n.login, n.dedupKey)) found.push(n)
    }
    const entry = watchOf(session.login)
    const { watch } = entry
    const filling = deps.filling()
    // Hundreds of thousands of old events would hold the main thread for seconds: skipped.
    if (filling || wasFilling) watch.historyCursor = lastHistoryId(db)
    else fromHistory(session, watch, add)
    wasFilling = filling
    fromConflicts(session, watch, add)
    if (options.deadlines) fromDeadlines(session, add)
    if (found.length === 0 && watch.historyCursor - entry.savedCursor < SAVE_CURSOR_AFTER) return false
    let added = false
    db.transaction(() => {
      for (const n of found) if (insertNotification(db, n)) added = true
      putWatch(db, session.login, watch)
      if (added) pruneNotifications(db, session.login, deps.now())
    })()
    entry.savedCursor = watch.historyCursor
    return added
  }

  return { check }
}
export type NotificationProducer = ReturnType<typeof createNotificationProducer>
