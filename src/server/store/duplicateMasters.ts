/**
 * The masters a batch's transitions name (`duplicateOf`), read once before the batch is
 * decided, so the core checks each reference on the server as it does on the console
 * (src/core/requests/duplicates.ts, `checkDuplicateMaster`): a console cannot link to a
 * request that does not exist, that its agent may not see, or that is itself a duplicate.
 */
import type { OpContext } from '../../core/requests/operations'
import { DUPLICATE_FIELD } from '../../core/requests/duplicates'
import type { Mutation, RequestRecord } from '../../shared/sync'
import { REQUEST_SELECT, toRequestRecord, type RequestDbRow } from './rows'
import { placeholders, type Sql } from './sql/client'

/**
 * The `requestByReference` lookup for a batch: the named masters as stored, or as this batch
 * has already changed them (`current`, by id), so two links in one batch see each other.
 */
export async function duplicateMasters(
  tx: Pick<Sql, 'all'>,
  mutations: readonly Mutation[],
  current: (id: string) => RequestRecord | undefined,
): Promise<Required<Pick<OpContext, 'requestByReference'>>> {
  const references = [
    ...new Set(
      mutations.flatMap((m) => {
        const named = m.op === 'transition' ? m.payload.fields[DUPLICATE_FIELD]?.trim() : undefined
        return named ? [named] : []
      }),
    ),
  ]
  const rows =
    references.length === 0
      ? []
      : await tx.all<RequestDbRow>(
          `SELECT ${REQUEST_SELECT} FROM requests WHERE reference IN (${placeholders(references.length)})`,
          references,
        )
  const byReference = new Map(rows.map((r) => [r.reference, toRequestRecord(r)]))
  return {
    requestByReference: (reference) => {
      const stored = byReference.get(reference)
      return stored && (current(stored.id) ?? stored)
    },
  }
}
