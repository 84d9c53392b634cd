/**
 * Reply templates administered from the console (issue 14; channels in
 * src/shared/channels/noticeTemplates.ts). They live on the central server, which sends
 * every notice with them, so nothing is kept in the cache: each call goes to the server
 * with the sync engine's access token, as reference administration does.
 *
 * Only administrators (checked here, and again by the server); without a server, or when it
 * cannot be reached, refused in words. A save on a stale version is refused with the text
 * now in force in the error's details, so the screen shows it beside what was typed.
 */
import type { SessionInfo } from '../../shared/contract'
import type { Category } from '../../shared/domain'
import { CoreError } from '../../shared/result'
import type { WorkflowDefinition } from '../../shared/workflow'
import type {
  NoticeTemplates,
  NoticeTemplateSaveInput,
  NoticeTemplateSlot,
  noticeTemplateChannels,
} from '../../shared/channels/noticeTemplates'
import {
  key,
  pickTemplate,
  templateProblem,
  TemplateText,
  type NoticeTemplatesReply,
} from '../../shared/noticeTemplates'
import { canAdministerReference } from '../../core/authz/permissions'
import type { Handlers } from '../dispatch'
import { listCategories } from '../cache/queries/reference'
import type { SyncTransport } from '../sync/transport'
import type { CoreDeps } from './deps'
import { serverRefusal, type ServerRefusalWords } from './serverRefusal'

/** What the handlers need of the sync side: a valid access token and the HTTP calls. */
export interface NoticeTemplateRemote {
  withAccess<T>(fn: (token: string) => Promise<T>): Promise<T>
  transport: Pick<SyncTransport, 'noticeTemplates' | 'noticeTemplateSave' | 'noticeTemplateReset'>
}

export type NoticeTemplateHandlers = Pick<Handlers, keyof typeof noticeTemplateChannels>

export const NEEDS_SERVER =
  'Les modèles de réponse sont gérés sur le serveur central : une connexion au serveur est nécessaire.'
const ONLY_ADMINS = 'Les modèles de réponse sont réservés aux administrateurs.'
const NOT_ON_SERVER =
  'Le serveur central ne gère pas encore les modèles de réponse : il doit d’abord être mis à jour.'
const NOT_CHANGED = 'Ce modèle n’a pas été modifié sur le serveur : il n’y a rien à rétablir.'

const WORDS: ServerRefusalWords = {
  passedOn: new Set(['invalid_input', 'forbidden', 'not_found', 'version_conflict']),
  needsServer: NEEDS_SERVER,
  notOnServer: NOT_ON_SERVER,
}

/** The events every category has, whatever its workflow. */
const ALWAYS = ['public_reply', 'transition', 'master_resolved'] as const

/** The `transition:<id>` events of a workflow: its transitions that notify the citizen. */
const notifyingTransitions = (workflow: WorkflowDefinition | undefined) =>
  (workflow?.transitions ?? [])
    .filter((t) => t.effects.includes('notify_citizen'))
    .map((t) => `transition:${t.id}`)

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString())

/**
 * Every slot the screen offers, each with its text in force: `*` with every event a
 * workflow notifies or the server knows, then each category with its own workflow's.
 */
export function templateSlots(
  reply: NoticeTemplatesReply,
  categories: readonly Pick<Category, 'id' | 'workflowId'>[],
  workflows: ReadonlyMap<string, WorkflowDefinition>,
): NoticeTemplateSlot[] {
  const stored = new Map(reply.templates.map((t) => [key(t.categoryId, t.event), t]))
  const anyCategory = new Set<string>([
    ...ALWAYS,
    ...[...workflows.values()].flatMap(notifyingTransitions),
    ...reply.templates.filter((t) => t.categoryId === '*').map((t) => t.event),
  ])
  const eventsOf = new Map<string, Set<string>>([['*', anyCategory]])
  for (const c of categories)
    eventsOf.set(c.id, new Set([...ALWAYS, ...notifyingTransitions(workflows.get(c.workflowId))]))
  // A category's own template stays listed even if its workflow no longer notifies that event.
  for (const t of reply.templates) {
    if (!eventsOf.has(t.categoryId)) eventsOf.set(t.categoryId, new Set())
    eventsOf.get(t.categoryId)!.add(t.event)
  }

  const slots: NoticeTemplateSlot[] = []
  for (const [categoryId, events] of eventsOf)
    for (const event of [...events].sort(byEvent)) {
      const own = stored.get(key(categoryId, event))
      const found = own ?? pickTemplate(stored, categoryId, event)
      if (!found) continue
      slots.push({
        categoryId,
        event,
        subject: found.subject,
        body: found.body,
        sms: found.sms,
        source: !own ? 'inherited' : own.version === 0 ? 'default' : 'server',
        inheritedFrom: own ? null : { categoryId: found.categoryId, event: found.event },
        version: own?.version ?? 0,
        updatedAt: own ? iso(own.updatedAt) : null,
        updatedBy: own?.updatedBy ?? null,
      })
    }
  return slots
}

const ORDER: Record<string, number> = { public_reply: 0, transition: 1, master_resolved: 3 }
const byEvent = (a: string, b: string) => (ORDER[a] ?? 2) - (ORDER[b] ?? 2) || a.localeCompare(b)

export function createNoticeTemplateHandlers(deps: CoreDeps): NoticeTemplateHandlers {
  async function onServer<T>(
    session: SessionInfo,
    fn: (remote: NoticeTemplateRemote, token: string) => Promise<T>,
    listing = false,
  ): Promise<T> {
    if (!canAdministerReference(session)) throw new CoreError('forbidden', ONLY_ADMINS)
    const remote = deps.noticeTemplates
    if (!remote) throw new CoreError('server_unavailable', NEEDS_SERVER, { reason: NEEDS_SERVER })
    try {
      return await remote.withAccess((token) => fn(remote, token))
    } catch (e) {
      throw serverRefusal(e, WORDS, listing)
    }
  }

  async function list(session: SessionInfo): Promise<NoticeTemplates> {
    const reply = await onServer(session, (r, token) => r.transport.noticeTemplates(token), true)
    const transitionLabels: NoticeTemplates['transitionLabels'] = {}
    for (const w of deps.workflows.values())
      for (const t of w.transitions)
        if (t.effects.includes('notify_citizen')) transitionLabels[`transition:${t.id}`] ??= t.label
    return {
      slots: templateSlots(reply, listCategories(deps.db), deps.workflows),
      placeholders: Object.entries(reply.placeholders)
        .filter(([name]) => name !== 'agent' || reply.allowAgentName)
        .map(([name, meaning]) => ({ name, meaning })),
      allowAgentName: reply.allowAgentName,
      transitionLabels,
    }
  }

  const slotOf = (all: NoticeTemplates, categoryId: string, event: string) =>
    all.slots.find((s) => s.categoryId === categoryId && s.event === event)

  async function save(session: SessionInfo, input: NoticeTemplateSaveInput): Promise<NoticeTemplates> {
    if (!canAdministerReference(session)) throw new CoreError('forbidden', ONLY_ADMINS)
    const { categoryId, event, baseVersion } = input
    // The SMS left out: the text in force for this slot is kept.
    const sms = input.sms ?? slotOf(await list(session), categoryId, event)?.sms
    const text = TemplateText.safeParse({ subject: input.subject, body: input.body, sms })
    if (!text.success) throw new CoreError('invalid_input', emptyField(text.error.issues[0]?.path[0]))
    // Unknown names are said before the server is asked; `{agent}` is the server's to allow.
    const problem = templateProblem(text.data, true)
    if (problem) throw new CoreError('invalid_input', problem)
    try {
      await onServer(session, (r, token) =>
        r.transport.noticeTemplateSave(token, categoryId, event, text.data, baseVersion),
      )
    } catch (e) {
      if (!(e instanceof CoreError && e.code === 'version_conflict')) throw e
      // The text someone else saved, for the screen to show beside the administrator's.
      const current = slotOf(await list(session), categoryId, event) ?? null
      throw new CoreError('version_conflict', e.message, { current })
    }
    return list(session)
  }

  async function reset(session: SessionInfo, input: { categoryId: string; event: string }) {
    try {
      await onServer(session, (r, token) =>
        r.transport.noticeTemplateReset(token, input.categoryId, input.event),
      )
    } catch (e) {
      throw e instanceof CoreError && e.code === 'not_found' ? new CoreError('not_found', NOT_CHANGED) : e
    }
    return list(session)
  }

  return {
    'admin.noticeTemplates': (_input, { session }) => list(session),
    'admin.saveNoticeTemplate': (input, { session }) => save(session, input),
    'admin.resetNoticeTemplate': (input, { session }) => reset(session, input),
  }
}

function emptyField(field: unknown): string {
  if (field === 'subject')
    return 'L’objet du message est vide ou trop long (200 caractères au plus, une ligne).'
  if (field === 'sms') return 'Le texte du SMS est vide ou trop long (480 caractères au plus).'
  return 'Le texte du message est vide ou trop long (10 000 caractères au plus).'
}
