/**
 * The demo request generator: deterministic (one seed, one `now`, one count → the same
 * requests, citizens, histories and comments), plausible for the Métropole du Grand Nancy,
 * and consistent with the workflows (each status is reached by the transitions the
 * workflow allows, recorded in the history in order).
 */
import type { AgentSummary, Category, Channel, Citizen, Priority } from '../../shared/domain'
import type { RoutingRule, Sector } from '../../shared/routing'
import type { RequestRecord } from '../../shared/sync'
import type { NewComment, NewHistoryEvent } from '../requests/records'
import { DEMO_AGENTS, DEMO_STAFF } from './agents'
import { boundsOf, pointInAnyPolygon, randomPointIn, type Bounds, type PolygonCoords } from './geometry'
import { createPrng, type Prng } from './prng'
import { DEMO_CATEGORIES, DEMO_FALLBACK_TEAM, DEMO_ROUTING_RULES, DEMO_SECTORS } from './reference'
import {
  COMMUNES,
  EMAIL_DOMAINS,
  FICTION_MOBILE_PREFIX,
  FIRST_NAMES,
  HOLD_REASONS,
  INTERNAL_NOTES,
  LAST_NAMES,
  PUBLIC_REPLIES,
  REJECT_REASONS,
  RESOLUTION_NOTES,
  STREETS,
  TEXTS,
  placeText,
} from './vocabulary'

/** The request whose description tries to run script: the UI must show it as inert text. */
export const XSS_REQUEST_ID = '0dd5a1e5-0000-4000-8000-00000000a551'
export const XSS_DESCRIPTION = '<img src=x onerror="alert(1)"><script>alert(2)</script> Lampadaire cassé'

const HOUR = 3_600_000
const DAY = 24 * HOUR
/** How far back the demo goes. */
const HISTORY_DAYS = 540

export interface GeneratedRequest {
  row: RequestRecord
  history: NewHistoryEvent[]
  comments: NewComment[]
}

interface Commune {
  code: string
  name: string
  postcode: string
  weight: number
  polygons: PolygonCoords[]
  bounds: Bounds
}

const polygonsOf = (s: Sector): PolygonCoords[] =>
  s.geometry.type === 'Polygon' ? [s.geometry.coordinates] : s.geometry.coordinates

/** The communes of the territory, from the commune sectors. */
export function demoCommunes(): Commune[] {
  return DEMO_SECTORS.filter((s) => s.communeCode !== null).map((s) => {
    const code = s.communeCode ?? ''
    const polygons = polygonsOf(s)
    return {
      code,
      name: s.name,
      ...(COMMUNES[code] ?? { postcode: '54000', weight: 1 }),
      polygons,
      bounds: boundsOf(polygons),
    }
  })
}

/** Point-in-sector routing, first match wins (the demo's own copy; the console's is workflow/routing). */
function route(
  rules: readonly RoutingRule[],
  sectors: ReadonlyMap<string, PolygonCoords[]>,
  r: {
    categoryId: string
    subcategory: string | null
    channel: Channel
    point: { lat: number; lon: number } | null
  },
): { rule: RoutingRule | null; teamId: string } {
  for (const rule of rules) {
    if (rule.categoryId !== null && rule.categoryId !== r.categoryId) continue
    if (rule.subcategory !== null && rule.subcategory !== r.subcategory) continue
    if (rule.channel !== null && rule.channel !== r.channel) continue
    if (rule.sectorId !== null) {
      const polygons = sectors.get(rule.sectorId)
      if (!r.point || !polygons || !pointInAnyPolygon(r.point.lon, r.point.lat, polygons)) continue
    }
    return { rule, teamId: rule.teamId }
  }
  return { rule: null, teamId: DEMO_FALLBACK_TEAM }
}

/** Due date from business hours, roughly (9-hour days, weekends skipped): the SLA engine is exact, this is demo data. */
export function roughDueDate(createdAt: number, businessHours: number): number {
  let days = Math.floor(businessHours / 9)
  let at = createdAt
  while (days > 0) {
    at += DAY
    const weekday = new Date(at).getUTCDay()
    if (weekday !== 0 && weekday !== 6) days--
  }
  return at + (businessHours % 9) * HOUR
}

const CATEGORY_WEIGHTS: Record<string, number> = {
  voirie: 18,
  'eclairage-public': 14,
  'depot-sauvage': 10,
  proprete: 8,
  tags: 5,
  'espaces-verts': 7,
  'collecte-dechets': 12,
  bruit: 6,
  stationnement: 7,
  'etat-civil': 5,
  creche: 3,
  piscines: 4,
}
const CHANNEL_WEIGHTS: ReadonlyArray<readonly [Channel, number]> = [
  ['portal', 35],
  ['phone', 20],
  ['counter', 10],
  ['email', 14],
  ['mobile', 16],
  ['open311', 5],
]
const PRIORITY_WEIGHTS: ReadonlyArray<readonly [Priority, number]> = [
  ['low', 15],
  ['normal', 60],
  ['high', 20],
  ['urgent', 5],
]

type Step = {
  transition: string
  to: string
  requires?: 'reason' | 'resolutionNote' | 'scheduledFor' | 'duplicateOf' | 'holdReason'
  assigns?: boolean
}

/** The transitions (of resources/workflows) that lead from `new` to each status. */
const PATHS: Record<string, Record<string, Step[]>> = {
  intervention: {
    new: [],
    qualified: [{ transition: 'qualify', to: 'qualified' }],
    assigned: [
      { transition: 'qualify', to: 'qualified' },
      { transition: 'assign', to: 'assigned', assigns: true },
    ],
    scheduled: [
      { transition: 'qualify', to: 'qualified' },
      { transition: 'assign', to: 'assigned', assigns: true },
      { transition: 'schedule', to: 'scheduled', requires: 'scheduledFor' },
    ],
    in_progress: [
      { transition: 'qualify', to: 'qualified' },
      { transition: 'assign', to: 'assigned', assigns: true },
      { transition: 'schedule', to: 'scheduled', requires: 'scheduledFor' },
      { transition: 'start', to: 'in_progress' },
    ],
    waiting_citizen: [
      { transition: 'qualify', to: 'qualified' },
      { transition: 'ask_citizen', to: 'waiting_citizen', requires: 'holdReason' },
    ],
    done: [
      { transition: 'qualify', to: 'qualified' },
      { transition: 'assign', to: 'assigned', assigns: true },
      { transition: 'schedule', to: 'scheduled', requires: 'scheduledFor' },
      { transition: 'start', to: 'in_progress' },
      { transition: 'finish', to: 'done' },
    ],
    closed: [
      { transition: 'qualify', to: 'qualified' },
      { transition: 'assign', to: 'assigned', assigns: true },
      { transition: 'schedule', to: 'scheduled', requires: 'scheduledFor' },
      { transition: 'start', to: 'in_progress' },
      { transition: 'finish', to: 'done' },
      { transition: 'close', to: 'closed', requires: 'resolutionNote' },
    ],
    rejected: [
      { transition: 'qualify', to: 'qualified' },
      { transition: 'reject', to: 'rejected', requires: 'reason' },
    ],
    duplicate: [{ transition: 'mark_duplicate', to: 'duplicate', requires: 'duplicateOf' }],
  },
  information: {
    new: [],
    in_progress: [{ transition: 'start', to: 'in_progress', assigns: true }],
    waiting_citizen: [
      { transition: 'start', to: 'in_progress', assigns: true },
      { transition: 'ask_citizen', to: 'waiting_citizen', requires: 'holdReason' },
    ],
    answered: [
      { transition: 'start', to: 'in_progress', assigns: true },
      { transition: 'answer', to: 'answered' },
    ],
    closed: [
      { transition: 'start', to: 'in_progress', assigns: true },
      { transition: 'answer', to: 'answered' },
      { transition: 'close', to: 'closed', requires: 'resolutionNote' },
    ],
    rejected: [{ transition: 'reject', to: 'rejected', requires: 'reason' }],
  },
}

const OPEN_STATUSES: Record<string, ReadonlyArray<readonly [string, number]>> = {
  intervention: [
    ['new', 24],
    ['qualified', 15],
    ['assigned', 14],
    ['scheduled', 12],
    ['in_progress', 17],
    ['waiting_citizen', 7],
    ['done', 11],
  ],
  information: [
    ['new', 35],
    ['in_progress', 33],
    ['waiting_citizen', 12],
    ['answered', 20],
  ],
}
const CLOSED_STATUSES: Record<string, ReadonlyArray<readonly [string, number]>> = {
  intervention: [
    ['closed', 80],
    ['rejected', 12],
    ['duplicate', 8],
  ],
  information: [
    ['closed', 85],
    ['rejected', 15],
  ],
}
const CLOSED_KINDS = new Set(['closed', 'rejected', 'duplicate'])

/** Creation times, oldest first: most requests are recent (a live backlog), a long tail goes back 18 months. */
function creationTimes(count: number, now: number, prng: Prng): Float64Array {
  const times = new Float64Array(count)
  for (let i = 0; i < count; i++) {
    const ageDays = prng.chance(0.7)
      ? Math.min(-Math.log(1 - prng.next()) * 12, HISTORY_DAYS)
      : prng.next() * HISTORY_DAYS
    times[i] = Math.floor((now - ageDays * DAY - prng.next() * HOUR) / 60_000) * 60_000
  }
  return times.sort()
}

const slug = (s: string) =>
  s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z]+/g, '-')

/** The pool of fictitious citizens requests are drawn from (some write several times). */
export function generateCitizens(count: number, seed: number): Citizen[] {
  const prng = createPrng(seed ^ 0x00c17123)
  const communes = demoCommunes()
  const citizens: Citizen[] = []
  for (let i = 0; i < count; i++) {
    const first = prng.pick(FIRST_NAMES)
    const last = prng.pick(LAST_NAMES)
    const email = prng.chance(0.75)
      ? `${slug(first)}.${slug(last)}${prng.int(1, 99)}@${prng.pick(EMAIL_DOMAINS)}`
      : null
    const phone = prng.chance(0.6)
      ? `${FICTION_MOBILE_PREFIX} ${String(prng.int(0, 99)).padStart(2, '0')} ${String(prng.int(0, 99)).padStart(2, '0')}`
      : null
    const commune = prng.weighted(communes.map((c) => [c, c.weight] as const))
    const postalAddress = prng.chance(0.5)
      ? `${prng.int(1, 120)} ${prng.pick(STREETS[commune.code] ?? ['rue de la République'])}, ${commune.postcode} ${commune.name}`
      : null
    const contactPreference =
      email && prng.chance(0.7)
        ? 'email'
        : phone && prng.chance(0.7)
          ? 'phone'
          : postalAddress
            ? 'post'
            : 'none'
    citizens.push({
      id: prng.uuid(),
      name: `${first} ${last}`,
      email,
      phone,
      postalAddress,
      contactPreference,
    })
  }
  return citizens
}

export interface GenerateOptions {
  count: number
  seed: number
  now: number
  /** Citizen ids to draw from; none makes every request anonymous. */
  citizenIds: readonly string[]
  /** Histories and comments too (the benchmark's bulk path leaves them out). */
  history: boolean
}

/**
 * Requests in creation order (so rowids follow creation, as a sync would deliver them).
 * One of them, in the voirie team, is the XSS probe `XSS_REQUEST_ID`: an old one (a quarter
 * of the way from the oldest), so the newest requests a trial user opens first hold only
 * plausible text; the tests reach it by its id or its reference.
 */
export function* generateRequests(options: GenerateOptions): Generator<GeneratedRequest> {
  const { count, now } = options
  const prng = createPrng(options.seed)
  const times = creationTimes(count, now, prng)
  const communes = demoCommunes()
  const communeWeights = communes.map((c) => [c, c.weight] as const)
  const categories = DEMO_CATEGORIES.map((c) => [c, CATEGORY_WEIGHTS[c.id] ?? 1] as const)
  const sectorPolygons = new Map(DEMO_SECTORS.map((s) => [s.id, polygonsOf(s)]))
  const nancy = communes.find((c) => c.code === '54395') ?? communes[0]
  const membersByTeam = new Map<string, AgentSummary[]>()
  for (const a of [...DEMO_AGENTS, ...DEMO_STAFF])
    for (const t of a.teamIds) membersByTeam.set(t, [...(membersByTeam.get(t) ?? []), a])
  const supervisor = DEMO_AGENTS.find((a) => a.roles.includes('supervisor'))
  const xssIndex = Math.floor(count / 4)
  const xssPrng = createPrng(options.seed ^ 0x0dd5a1e5)
  const perYear = new Map<number, number>()
  let previousReference: string | null = null

  /** The request of slot `i`, drawn from `rng` (the probe's own stream for the probe). */
  const make = (i: number, isXss: boolean, rng: Prng): GeneratedRequest => {
    const createdAt = times[i] ?? now
    const category: Category = isXss
      ? (DEMO_CATEGORIES.find((c) => c.id === 'voirie') ?? categories[0]![0])
      : rng.weighted(categories)
    const subcategory = isXss ? 'Mobilier urbain' : rng.chance(0.9) ? rng.pick(category.subcategories) : null
    const channel = isXss ? 'portal' : rng.weighted(CHANNEL_WEIGHTS)
    const priority = isXss ? 'high' : rng.weighted(PRIORITY_WEIGHTS)
    const commune = isXss && nancy ? nancy : rng.weighted(communeWeights)
    const street = rng.pick(STREETS[commune.code] ?? ['rue de la République'])
    const num = rng.int(1, 140)
    const located =
      category.requiresLocation &&
      (channel === 'phone' || channel === 'counter' ? rng.chance(0.75) : rng.chance(0.97))
    const point = located ? randomPointIn(commune.polygons, commune.bounds, rng) : null
    const address = category.requiresLocation ? `${num} ${street}, ${commune.postcode} ${commune.name}` : null
    const routed = route(DEMO_ROUTING_RULES, sectorPolygons, {
      categoryId: category.id,
      subcategory,
      channel,
      point,
    })
    const citizenId =
      !isXss && options.citizenIds.length > 0 && rng.chance(0.7) ? rng.pick(options.citizenIds) : null

    const age = now - createdAt
    const workflow = category.workflowId
    let status: string
    if (isXss) status = 'new'
    else {
      const closed = rng.chance(Math.min(0.9, age / (60 * DAY)))
      status = rng.weighted((closed ? CLOSED_STATUSES : OPEN_STATUSES)[workflow] ?? [['new', 1]])
      if (status === 'waiting_citizen' && citizenId === null)
        status = workflow === 'intervention' ? 'qualified' : 'in_progress'
      if (status === 'duplicate' && previousReference === null) status = 'rejected'
    }
    const steps = PATHS[workflow]?.[status] ?? []
    const statusKind = CLOSED_KINDS.has(status) ? 'closed' : 'open'
    const endAt =
      statusKind === 'closed'
        ? createdAt + Math.min(age * 0.95, (2 + rng.next() * 20) * DAY)
        : createdAt + age * (0.1 + rng.next() * 0.8)

    const texts = TEXTS[category.id] ?? { titles: [category.name.fr], descriptions: [category.name.fr] }
    const where = placeText(street, num, (items) => rng.pick(items))
    const fill = (s: string) =>
      s
        .replace('{sub}', subcategory ?? category.name.fr)
        .replace('{street}', street)
        .replace('{where}', where)
        .replace('{days}', String(rng.int(2, 15)))
    const title = isXss ? 'Lampadaire cassé sur le trottoir' : fill(rng.pick(texts.titles))
    const description = isXss ? XSS_DESCRIPTION : fill(rng.pick(texts.descriptions))

    const year = new Date(createdAt).getUTCFullYear()
    const seq = (perYear.get(year) ?? 0) + 1
    perYear.set(year, seq)
    const reference = `GRC-${year}-${String(seq).padStart(6, '0')}`
    const id = isXss ? XSS_REQUEST_ID : rng.uuidV7(createdAt)

    const members = membersByTeam.get(routed.teamId) ?? []
    const byRole = (role: AgentSummary['roles'][number]) => members.filter((m) => m.roles.includes(role))
    const lead = byRole('lead')[0] ?? supervisor
    const workers = byRole('agent').length > 0 ? byRole('agent') : members
    const technicians = byRole('technician')

    const history: NewHistoryEvent[] = []
    const comments: NewComment[] = []
    const fields: Record<string, string> = {}
    let assigneeId: string | null = null
    let at = createdAt
    let slaPausedSince: number | null = null
    let version = 0
    const frontDesk = membersByTeam.get(DEMO_FALLBACK_TEAM) ?? []
    const typist =
      channel === 'phone' || channel === 'counter' ? rng.pick(frontDesk.length ? frontDesk : members) : null
    if (options.history) {
      history.push({
        requestId: id,
        kind: 'created',
        at: createdAt,
        actorId: typist?.id ?? null,
        actorName: typist?.displayName ?? null,
        data: { channel },
      })
      history.push({
        requestId: id,
        kind: 'routed',
        at: createdAt,
        actorId: null,
        actorName: null,
        data: {
          teamId: routed.teamId,
          ruleId: routed.rule?.id ?? null,
          ruleName: routed.rule?.name ?? null,
          fallback: !routed.rule,
        },
      })
    }
    steps.forEach((step, k) => {
      at = Math.max(at + 60_000, Math.round(createdAt + ((endAt - createdAt) * (k + 1)) / steps.length))
      const lastAt = at
      if (step.assigns) {
        const pool = workflow === 'intervention' && technicians.length > 0 ? technicians : workers
        const assignee = pool.length > 0 ? rng.pick(pool) : null
        if (assignee) {
          assigneeId = assignee.id
          version++
          if (options.history)
            history.push({
              requestId: id,
              kind: 'assigned',
              at: lastAt - 60_000,
              actorId: lead?.id ?? null,
              actorName: lead?.displayName ?? null,
              data: { from: null, to: assignee.id },
            })
        }
      }
      if (step.requires === 'reason') fields.reason = rng.pick(REJECT_REASONS)
      if (step.requires === 'resolutionNote') fields.resolutionNote = rng.pick(RESOLUTION_NOTES)
      if (step.requires === 'holdReason') fields.holdReason = rng.pick(HOLD_REASONS)
      if (step.requires === 'duplicateOf') fields.duplicateOf = previousReference ?? ''
      if (step.requires === 'scheduledFor')
        fields.scheduledFor = new Date(lastAt + rng.int(1, 5) * DAY).toISOString().slice(0, 10)
      if (step.to === 'waiting_citizen') slaPausedSince = lastAt
      version++
      const actor =
        step.transition === 'start' || step.transition === 'finish'
          ? (members.find((m) => m.id === assigneeId) ?? lead)
          : step.transition === 'assign' || step.transition === 'schedule'
            ? lead
            : rng.pick(workers.length ? workers : [lead ?? DEMO_AGENTS[0]!])
      if (options.history)
        history.push({
          requestId: id,
          kind: 'transitioned',
          at: lastAt,
          actorId: actor?.id ?? null,
          actorName: actor?.displayName ?? null,
          data: {
            transitionId: step.transition,
            from: k === 0 ? 'new' : steps[k - 1]!.to,
            to: step.to,
            fields: step.requires ? { [step.requires]: fields[step.requires] } : {},
          },
        })
    })
    if (options.history && !isXss && rng.chance(0.25)) {
      const n = rng.int(1, 2)
      for (let c = 0; c < n; c++) {
        const author = rng.pick(members.length ? members : DEMO_AGENTS)
        const kind = rng.chance(0.6) ? 'internal' : 'public'
        const commentAt = Math.round(createdAt + (Math.max(at, createdAt + HOUR) - createdAt) * rng.next())
        const commentId = rng.uuid()
        comments.push({
          id: commentId,
          requestId: id,
          kind,
          body: rng.pick(kind === 'internal' ? INTERNAL_NOTES : PUBLIC_REPLIES),
          authorId: author.id,
          authorName: author.displayName,
          createdAt: commentAt,
        })
        history.push({
          requestId: id,
          kind: 'commented',
          at: commentAt,
          actorId: author.id,
          actorName: author.displayName,
          data: { commentId, kind },
        })
      }
    }

    return {
      row: {
        id,
        reference,
        title,
        categoryId: category.id,
        subcategory,
        channel,
        status,
        statusKind,
        priority,
        teamId: routed.teamId,
        assigneeId,
        description,
        address,
        lat: point?.lat ?? null,
        lon: point?.lon ?? null,
        citizenId,
        fields,
        createdAt,
        updatedAt: at,
        dueAt: roughDueDate(createdAt, category.slaBusinessHours),
        closedAt: statusKind === 'closed' ? at : null,
        slaPausedMs: 0,
        slaPausedSince,
        version,
      },
      history,
      comments,
    }
  }

  for (let i = 0; i < count; i++) {
    if (i === xssIndex) {
      // The ordinary request of this slot is drawn and dropped, so the main stream goes on
      // as if the probe were not there: moving the probe changes no other request.
      const sequences = new Map(perYear)
      make(i, false, prng)
      perYear.clear()
      for (const [year, seq] of sequences) perYear.set(year, seq)
    }
    const request = i === xssIndex ? make(i, true, xssPrng) : make(i, false, prng)
    yield request
    previousReference = request.row.reference
  }
}
