/**
 * The handlers of the intake channels (src/shared/channels/intake.ts); authorisation is
 * checked here, in the core, whatever the screen shows. Also the writing of a new request
 * taken at intake (`request.create`): the request, its citizen, their history and the
 * outbox entry in one transaction.
 */
import type { SessionInfo } from '../../shared/contract'
import type { Role } from '../../shared/domain'
import type { CitizenMatch, intakeChannels } from '../../shared/channels/intake'
import { CoreError } from '../../shared/result'
import type { CreateRequestInput } from '../../shared/sync'
import { normalizeForSearch, similarity, wordMatches } from '../../core/privacy/text'
import { ACTION_REFUSALS } from '../../core/authz/actions'
import { canReadCitizen, scopeFor } from '../../core/authz/permissions'
import { effectiveTeams } from '../../core/authz/scope'
import {
  decideIntakeCitizen,
  newRequestRow,
  previewRouting,
  type OpContext,
  type ReferenceLookup,
} from '../../core/requests/operations'
import { communeAt, territoryCentre } from '../../core/geocoding/ban'
import type { Handlers } from '../dispatch'
import type { Db } from '../cache/db'
import { withFullSync } from '../cache/db'
import { cached } from '../cache/statements'
import { getCitizen, insertCitizen, putCitizenName } from '../cache/queries/citizens'
import { citizenDataRolesOf } from '../cache/queries/privacyPolicy'
import { appendHistory } from '../cache/queries/history'
import { enqueueMutation } from '../cache/queries/outbox'
import { insertRequest, nextReference } from '../cache/queries/requests'
import { listSectors, listTeams } from '../cache/queries/reference'
import { cacheOpContext } from '../cache/requestWrites'
import { createGeocoder } from '../geocoding/banClient'
import type { CoreDeps } from './deps'
import type { RequestService } from './requests'

export type IntakeHandlers = Pick<Handlers, keyof typeof intakeChannels>

/** Citizens offered for one search. */
const CITIZEN_MATCHES = 10
/** Below this, a name is too far from what was typed to be offered. */
const MIN_NAME_SCORE = 0.3

/** The cache's reference data with the teams' names, for the routing words. */
export function intakeReference(db: Db, ref: ReferenceLookup): ReferenceLookup {
  const teams = new Map(listTeams(db).map((t) => [t.id, t]))
  return { ...ref, team: (id) => teams.get(id) }
}

/** How close a citizen's name is to what the agent typed: every word typed stands for one of theirs, or trigrams. */
export function nameScore(typed: string, name: string): number {
  const words = normalizeForSearch(typed).split(' ').filter(Boolean)
  if (words.length === 0) return 0
  const sim = similarity(typed, name)
  const theirs = normalizeForSearch(name).split(' ')
  return words.every((w) => theirs.some((n) => wordMatches(w, n))) ? 0.6 + 0.4 * sim : sim
}

/**
 * Known citizens (with a request the session may see) whose name looks like `q`. Names only:
 * contact details come one request at a time, on demand (docs/privacy.md).
 */
export function searchCachedCitizens(db: Db, session: SessionInfo, q: string): CitizenMatch[] {
  const teams = effectiveTeams(scopeFor(session))
  const inTeams = teams === null ? '' : `AND r.team_id IN (${teams.map(() => '?').join(', ') || 'NULL'})`
  const rows = cached(
    db,
    `SELECT c.id, c.name, count(*) AS n, max(r.rowid) AS last_rowid
     FROM citizens c JOIN requests r ON r.citizen_id = c.id ${inTeams}
     GROUP BY c.id`,
  ).all(...(teams ?? [])) as { id: string; name: string; n: number; last_rowid: number }[]
  const best = rows
    .map((r) => ({ r, score: nameScore(q, r.name) }))
    .filter((m) => m.score >= MIN_NAME_SCORE)
    .sort((a, b) => b.score - a.score || a.r.name.localeCompare(b.r.name, 'fr'))
    .slice(0, CITIZEN_MATCHES)
  const referenceAt = cached(db, 'SELECT reference FROM requests WHERE rowid = ?').pluck()
  return best.map(({ r }) => ({
    id: r.id,
    name: r.name,
    requestCount: r.n,
    lastReference: (referenceAt.get(r.last_rowid) as string | undefined) ?? null,
  }))
}

/**
 * Write a request taken at intake, with its citizen: the request, the citizen (a synced cache
 * keeps their name only: the contact travels in the outbox to the server, which keeps it),
 * the `created` event (with the consent's date, never a contact) and the `routed` event in
 * the routing's words, and the outbox entry, in one transaction. @returns the new id.
 * @throws CoreError forbidden (no citizen rights), invalid_input (unknown citizen, category…).
 */
export function writeNewRequest(
  deps: CoreDeps,
  ctx: OpContext,
  session: SessionInfo,
  input: CreateRequestInput,
  citizenDataRoles: readonly Role[],
): string {
  const { db } = deps
  const id = deps.newId()
  const citizen = decideIntakeCitizen(session, citizenDataRoles, input.citizen, deps.newId)
  if (input.citizen?.kind === 'existing' && !getCitizen(db, input.citizen.id))
    throw new CoreError('invalid_input', 'Cet usager est introuvable : recherchez-le à nouveau.')
  // The server records the citizen under the console's id, so both name them alike.
  const payload: CreateRequestInput =
    input.citizen?.kind === 'new' && citizen.create
      ? { ...input, citizen: { kind: 'new', citizen: { ...input.citizen.citizen, id: citizen.create.id } } }
      : input
  const synced = Boolean(deps.config.sync.serverUrl)
  withFullSync(db, () => {
    const at = deps.now()
    // With a server, the server numbers requests; until it has, the number says it is provisional.
    const reference = synced
      ? `PROV-${id.replace(/-/g, '').slice(0, 10).toUpperCase()}`
      : nextReference(db, at)
    const withNames = { ...ctx, ref: intakeReference(db, ctx.ref) }
    const { row, routed } = newRequestRow(withNames, input, {
      id,
      reference,
      at,
      citizenId: citizen.citizenId,
    })
    if (citizen.create) {
      if (synced) putCitizenName(db, citizen.create)
      else {
        insertCitizen(db, citizen.create)
        // The whole record lives here (no server): its consent's date with it, as the server keeps it.
        const consentAt =
          typeof citizen.createdData.consentAt === 'string' ? citizen.createdData.consentAt : null
        if (consentAt)
          cached(db, 'INSERT INTO citizen_consents (citizen_id, consent_at) VALUES (?, ?)').run(
            citizen.create.id,
            Date.parse(consentAt),
          )
      }
    }
    insertRequest(db, row)
    const mutationId = deps.newId()
    const actor = { actorId: session.agentId, actorName: session.displayName }
    appendHistory(db, {
      requestId: id,
      kind: 'created',
      at,
      ...actor,
      data: { channel: input.channel, ...citizen.createdData },
      mutationId,
    })
    appendHistory(db, { requestId: id, ...routed, at, actorId: null, actorName: null, mutationId })
    enqueueMutation(db, {
      mutationId,
      entity: 'request',
      entityId: id,
      op: 'create',
      baseVersion: 0,
      payload,
      createdAt: at,
    })
  })
  return id
}

export function createIntakeHandlers(deps: CoreDeps, _requests: RequestService): IntakeHandlers {
  const { db } = deps
  const ctx = cacheOpContext(db, deps.workflows, deps.calendar)
  const geocoder = createGeocoder({
    url: deps.config.geocoding.url,
    timeoutMs: deps.config.geocoding.timeoutSeconds * 1000,
    // Electron's network stack in the app: the workstation's proxy applies.
    fetch: deps.fetch,
  })
  const mayReadCitizen = (session: SessionInfo) =>
    canReadCitizen(session, citizenDataRolesOf(db, deps.config.privacy.citizenDataRoles))

  return {
    'intake.citizens': ({ q }, { session }) => {
      if (!mayReadCitizen(session)) throw new CoreError('forbidden', ACTION_REFUSALS.citizen)
      return { citizens: searchCachedCitizens(db, session, q) }
    },

    'intake.geocode': async ({ q }) => geocoder.search(q, territoryCentre(listSectors(db))),

    'intake.reverse': async (point) => {
      const answer = await geocoder.reverse(point)
      const nearest = answer.candidates[0]
      if (nearest)
        return {
          place: { label: nearest.label, citycode: nearest.citycode, source: 'geocoder' },
          problem: null,
        }
      // Offline, or nothing near: the commune from the territory's outlines is still known.
      const commune = communeAt(point, listSectors(db))
      return {
        place: commune && { label: commune.name, citycode: commune.communeCode, source: 'territory' },
        problem: answer.problem,
      }
    },

    'intake.route': (input) => {
      const ref = intakeReference(db, ctx.ref)
      if (!ref.category(input.categoryId)) throw new CoreError('invalid_input', 'Catégorie inconnue.')
      const { decision, words } = previewRouting(ref, input)
      return {
        teamId: decision.teamId,
        teamName: ref.team?.(decision.teamId)?.name ?? decision.teamId,
        fallback: decision.fallback,
        words,
      }
    },
  }
}
