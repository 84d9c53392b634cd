/**
 * The priority of many requests at once. The core has no bulk path for it, so each request
 * goes through `request.update` on its own (the same checks as from its detail) and the
 * answers are gathered into a bulk action's outcome: done, or refused with the reason.
 */
import { DETAILS_PER_CALL, type BulkOutcome } from '../../../shared/contract'
import type { Priority } from '../../../shared/domain'
import { ApiError, invoke } from '../../api'

/** Updates in flight at once: the list keeps moving while a few hundred are changed. */
const IN_FLIGHT = 4

type Refusal = BulkOutcome['refused'][number]

/** What the core says of one request; anything else (session, network) stops the whole action. */
const ABOUT_ONE_REQUEST: ReadonlySet<string> = new Set([
  'forbidden',
  'not_found',
  'invalid_input',
  'version_conflict',
])

/** The references of refused requests the agent may still see (others show « — »). */
async function withReferences(refused: Refusal[]): Promise<Refusal[]> {
  const references = new Map<string, string>()
  for (let start = 0; start < refused.length; start += DETAILS_PER_CALL) {
    const ids = refused.slice(start, start + DETAILS_PER_CALL).map((r) => r.id)
    try {
      for (const d of await invoke('request.getMany', { ids })) references.set(d.id, d.reference)
    } catch {
      // The reasons still say what happened; the references stay « — ».
    }
  }
  return refused.map((r) => ({ ...r, reference: references.get(r.id) ?? r.reference }))
}

export async function setPriorityEach(ids: readonly string[], priority: Priority): Promise<BulkOutcome> {
  const done: string[] = []
  const refused: Refusal[] = []
  const queue = [...new Set(ids)]
  let stopped = false
  async function worker() {
    for (let id = queue.shift(); id !== undefined && !stopped; id = queue.shift()) {
      try {
        await invoke('request.update', { id, patch: { priority } })
        done.push(id)
      } catch (e) {
        if (!(e instanceof ApiError) || !ABOUT_ONE_REQUEST.has(e.code)) {
          stopped = true
          throw e
        }
        refused.push({ id, reference: '—', code: e.code, reason: e.message })
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, queue.length) }, worker))
  return { done, refused: refused.length ? await withReferences(refused) : [] }
}
