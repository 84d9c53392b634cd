/**
 * The shapes of what is written about a request besides its own row, the same in the
 * console's cache and in the server's store: history events and comments.
 */
import type { Comment, HistoryKind } from '../../shared/domain'

export interface NewHistoryEvent {
  requestId: string
  kind: HistoryKind
  /** Epoch ms. */
  at: number
  actorId: string | null
  actorName: string | null
  data: Record<string, unknown>
  /** The server's id of this event, when it came from the server. */
  serverId?: number | null
  /** The console change (outbox mutation) that made it. */
  mutationId?: string | null
}

/** A comment to store; `createdAt` as the contract's ISO string or epoch ms. */
export type NewComment = Omit<Comment, 'createdAt'> & { createdAt: string | number }

/** A request's transition fields as stored (JSON text): only string values are kept. */
export function parseFields(json: string): Record<string, string> {
  const parsed: unknown = JSON.parse(json)
  const out: Record<string, string> = {}
  if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
    for (const [k, v] of Object.entries(parsed)) if (typeof v === 'string') out[k] = v
  return out
}

/** A request's tags as stored (JSON text): only strings are kept. */
export function parseTags(json: string): string[] {
  const parsed: unknown = JSON.parse(json)
  return Array.isArray(parsed) ? parsed.filter((t): t is string => typeof t === 'string') : []
}
