/**
 * A citizen's requests found by their exact e-mail or phone (issue 18): a citizen calls and
 * gives their address; a supervisor (or the DPO) finds what they asked for, without the DPO's
 * full search (no partial terms, no contact details in the answer). The candidates come from
 * the search grams (citizenSearch.ts) and are then compared whole; each citizen shown is
 * logged (`citizen_lookup`) with the console's id, never the term.
 */
import type { SessionInfo } from '../../shared/contract'
import { lookupKindOf, type CitizenLookupReply, type CitizenLookupRequest } from '../../shared/privacy'
import { CoreError } from '../../shared/result'
import { canLookUpCitizen, canSeeTeam } from '../../core/authz/permissions'
import { normalizeForSearch, phoneKey, trigrams } from '../../core/privacy/text'
import { appendAccess } from './accessLog'
import type { PrivacyContext } from './privacyContext'
import { placeholders } from './sql/client'

export const LOOKUP_REFUSED =
  'Retrouver un usager par son e-mail ou son téléphone est réservé aux superviseurs et au délégué à la protection des données.'

/** Citizens sharing most grams with the term: more than a page of look-alikes is never needed. */
const CANDIDATES = 50

export async function lookupCitizen(
  ctx: PrivacyContext,
  session: SessionInfo,
  input: CitizenLookupRequest,
): Promise<CitizenLookupReply> {
  if (!canLookUpCitizen(session, ctx.citizenDataRoles)) throw new CoreError('forbidden', LOOKUP_REFUSED)
  const kind = lookupKindOf(input.q)
  if (!kind)
    throw new CoreError('invalid_input', 'Saisissez une adresse e-mail ou un numéro de téléphone complets.')
  const email = input.q.trim().toLowerCase()
  const key = kind === 'email' ? normalizeForSearch(email) : phoneKey(input.q)
  const grams = key ? trigrams(key) : []
  if (grams.length === 0) return { kind, matches: [] }
  return ctx.db.transaction(async (tx) => {
    // Every gram of the term: only citizens holding all of them can be equal to it.
    const candidates = await tx.all<{ citizen_id: string }>(
      `SELECT citizen_id FROM citizen_search WHERE field = ? AND gram IN (${placeholders(grams.length)})
       GROUP BY citizen_id HAVING count(*) = ? ORDER BY citizen_id LIMIT ?`,
      [kind, ...grams, grams.length, CANDIDATES],
    )
    if (candidates.length === 0) return { kind, matches: [] }
    const citizens = await tx.all<{ id: string; name: string; email: string | null; phone: string | null }>(
      `SELECT id, name, email, phone FROM citizens
       WHERE id IN (${placeholders(candidates.length)}) AND erased_at IS NULL ORDER BY name, id`,
      candidates.map((c) => c.citizen_id),
    )
    const equal = citizens.filter((c) =>
      kind === 'email'
        ? c.email !== null && c.email.trim().toLowerCase() === email
        : c.phone !== null && phoneKey(c.phone) === key,
    )
    if (equal.length === 0) return { kind, matches: [] }
    const requests = await tx.all<{ id: string; citizen_id: string; team_id: string }>(
      `SELECT id, citizen_id, team_id FROM requests WHERE citizen_id IN (${placeholders(equal.length)})
       ORDER BY created_at DESC, id`,
      equal.map((c) => c.id),
    )
    const at = ctx.now()
    const matches: CitizenLookupReply['matches'] = []
    for (const c of equal) {
      const requestIds = requests
        .filter((r) => r.citizen_id === c.id && canSeeTeam(session, r.team_id))
        .map((r) => r.id)
      await appendAccess(tx, {
        id: ctx.newId(),
        at,
        recordedAt: at,
        agentId: session.agentId,
        agentName: session.displayName,
        requestId: null,
        citizenId: c.id,
        action: 'citizen_lookup',
        purpose: null,
        clientId: input.clientId,
        workstation: input.workstation ?? null,
        source: 'server',
      })
      matches.push({ citizenId: c.id, name: c.name, requestIds })
    }
    return { kind, matches }
  })
}
