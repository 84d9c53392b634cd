/**
 * The server's notice job: queues what calls for a notice as soon as a change is applied
 * (on this instance or, through PostgreSQL's nudges, on another), sends what is due by
 * e-mail or SMS, and tries failed sendings again after a growing wait. Started with the
 * server when `notifications.smtp` or `notifications.sms` is configured; stopped with it.
 * Logs say which notice and what became of it, never an address, a number or a text.
 */
import { randomUUID } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import type { AppConfig } from '../../core/config'
import type { ServerStore } from '../store/types'
import { composeNotice } from './compose'
import { createEmailSender, type EmailSender } from './email'
import {
  claimDueNotices,
  nextDueAt,
  queueNotices,
  recordOutcome,
  type NoticeRow,
  type Outcome,
  type RetryPolicy,
} from './queue'
import { createSmsSender, type SmsSender } from './sms'

export type NotificationSettings = AppConfig['notifications']

const NOT_CONFIGURED = {
  email: 'L’envoi des courriels n’est pas configuré sur le serveur (notifications.smtp)',
  sms: 'L’envoi des SMS n’est pas configuré sur le serveur (notifications.sms)',
}

/** How often an instance looks anyway (nudges make it sooner). */
export const POLL_MS = 30_000

export interface NotificationJob {
  /** Queue and send what is due now; resolves when done (tests; nudges and the timer call it). */
  tick(): Promise<void>
  stop(): Promise<void>
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The notice job of this instance, when notifications are configured. */
    notifications?: NotificationJob
  }
}

export interface NotificationJobOptions {
  store: ServerStore
  settings: NotificationSettings
  now?: () => number
  log?: (line: string) => void
  pollMs?: number
}

const retryPolicyOf = (s: NotificationSettings): RetryPolicy => ({
  maxAttempts: s.retry.maxAttempts,
  initialDelayMs: s.retry.initialDelaySeconds * 1000,
  maxDelayMs: s.retry.maxDelaySeconds * 1000,
})

export function startNotificationJob(options: NotificationJobOptions): NotificationJob {
  const { store, settings } = options
  const now = options.now ?? Date.now
  const log = options.log ?? ((line: string) => console.log(`[grc-server] ${line}`))
  const owner = randomUUID()
  const policy = retryPolicyOf(settings)
  // Built at start: a missing secret or CA file stops the server with the setting named.
  const email: EmailSender | null = settings.smtp ? createEmailSender(settings.smtp) : null
  const sms: SmsSender | null = settings.sms ? createSmsSender(settings.sms) : null

  async function attempt(notice: NoticeRow): Promise<Outcome> {
    const composed = await composeNotice(store.sql, notice, { allowAgentName: settings.allowAgentName })
    if (!composed.ok) return { status: 'skipped', reason: composed.reason }
    if (notice.channel === 'email')
      return email
        ? email.send({ to: composed.to, subject: composed.subject, text: composed.text, noticeId: notice.id })
        : { status: 'failed', final: true, reason: NOT_CONFIGURED.email }
    return sms
      ? sms.send({ to: composed.to, text: composed.sms, noticeId: notice.id })
      : { status: 'failed', final: true, reason: NOT_CONFIGURED.sms }
  }

  async function sendDue(): Promise<void> {
    for (;;) {
      const due = await claimDueNotices(store.sql, owner, now())
      if (due.length === 0) return
      for (const notice of due) {
        if (stopped) return
        const outcome = await attempt(notice).catch((e: unknown): Outcome => ({
          status: 'failed',
          reason: `Erreur du serveur GRC (${(e as Error)?.name ?? 'Error'})`,
        }))
        await recordOutcome(store.sql, notice, owner, outcome, policy, now())
        log(`notice ${notice.id} (${notice.channel}, attempt ${notice.attempts + 1}): ${outcome.status}`)
      }
    }
  }

  let stopped = false
  let running: Promise<void> | null = null
  /** A change came (or a timer fired) since the run began looking: look again. */
  let dirty = true
  let timer: NodeJS.Timeout | null = null

  function schedule(delayMs: number) {
    if (stopped) return
    if (timer) clearTimeout(timer)
    timer = setTimeout(() => void tick(), Math.max(0, Math.min(delayMs, options.pollMs ?? POLL_MS)))
    timer.unref()
  }

  function tick(): Promise<void> {
    if (stopped) return Promise.resolve()
    dirty = true
    if (running) return running
    running = (async () => {
      do {
        dirty = false
        try {
          while ((await queueNotices({ db: store.sql, now })).read > 0 && !stopped);
          await sendDue()
        } catch (e) {
          // Always said (the job stalls otherwise unseen); the notices table holds nothing personal.
          const err = e as { name?: string; code?: string; message?: string }
          console.error(
            `[grc-server] notifications: ${err.name ?? 'Error'} ${err.code ?? ''} ${err.message ?? ''}`,
          )
        }
      } while (dirty && !stopped)
      const next = await nextDueAt(store.sql).catch(() => null)
      // A nudge that came meanwhile must not be replaced by the wait for the next due notice.
      schedule(dirty ? 0 : next === null ? Infinity : next - now())
    })().finally(() => {
      running = null
      // A nudge that came while the run was finishing: run again rather than wait for the poll.
      if (dirty && !stopped) void tick()
    })
    return running
  }

  const unsubscribe = store.onChange(() => {
    dirty = true
    schedule(20)
  })
  void tick()
  return {
    tick: async () => {
      await running
      await tick()
    },
    async stop() {
      stopped = true
      unsubscribe()
      if (timer) clearTimeout(timer)
      await running
      // What this instance took and did not try goes back at once, not when the lease ends.
      await store.sql
        .run(
          "UPDATE notices SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = ? AND status = 'pending'",
          [owner],
        )
        .catch(() => {})
      email?.close()
      sms?.close()
    },
  }
}

/**
 * Start the notice job with the server `app` when notifications are configured, and stop
 * it when the app closes (before the store). The one line start.ts calls.
 */
export function registerNotifications(
  app: FastifyInstance,
  options: Omit<NotificationJobOptions, 'log'> & { log?: boolean },
): void {
  app.decorate('noticeAllowAgentName', options.settings.allowAgentName)
  if (!options.settings.smtp && !options.settings.sms) return
  // Lines only when the server logs (GRC_SERVER_LOG=1), as its requests.
  const job = startNotificationJob({ ...options, log: options.log === true ? undefined : () => {} })
  app.decorate('notifications', job)
  app.addHook('onClose', () => job.stop())
}
