/**
 * Routing (aiguillage): which team a new request goes to. Pure: the caller reads the
 * rules and sectors from the cache and records the decision in the request's history.
 */
import type { Channel, Point } from '../../shared/domain'
import { bboxContains, bboxOfGeometry, pointInPolygon, type BBox } from '../../shared/geo'
import type { RoutingCriterion, RoutingDecision, RoutingRule, RuleTrace, Sector } from '../../shared/routing'

export interface RoutingInput {
  categoryId: string
  subcategory: string | null
  channel: Channel
  location: Point | null
}

/** A sector with its bounding box computed once per routing call. */
interface IndexedSector {
  sector: Sector
  bbox: BBox | null
}

function sectorMismatch(
  rule: RoutingRule,
  location: Point | null,
  sectors: ReadonlyMap<string, IndexedSector>,
) {
  if (rule.sectorId === null) return null
  const indexed = sectors.get(rule.sectorId)
  if (!indexed) return `sector "${rule.sectorId}" is unknown`
  const { sector, bbox } = indexed
  if (!location) return `the request has no location, so it cannot be in sector "${sector.name}"`
  if (!bbox || !bboxContains(bbox, location) || !pointInPolygon(location, sector.geometry))
    return `the location is outside sector "${sector.name}"`
  return null
}

/** Every criterion of `rule` that `input` fails, each with an English sentence. */
function mismatchesOf(
  rule: RoutingRule,
  input: RoutingInput,
  sectors: ReadonlyMap<string, IndexedSector>,
): { criterion: RoutingCriterion; why: string }[] {
  const out: { criterion: RoutingCriterion; why: string }[] = []
  if (rule.categoryId !== null && rule.categoryId !== input.categoryId)
    out.push({ criterion: 'category', why: `category is "${input.categoryId}", not "${rule.categoryId}"` })
  if (rule.subcategory !== null && rule.subcategory !== input.subcategory)
    out.push({
      criterion: 'subcategory',
      why:
        input.subcategory === null
          ? `the request has no sub-category, the rule wants "${rule.subcategory}"`
          : `sub-category is "${input.subcategory}", not "${rule.subcategory}"`,
    })
  if (rule.channel !== null && rule.channel !== input.channel)
    out.push({ criterion: 'channel', why: `channel is "${input.channel}", not "${rule.channel}"` })
  const sector = sectorMismatch(rule, input.location, sectors)
  if (sector) out.push({ criterion: 'sector', why: sector })
  return out
}

/**
 * Send a new request to a team: rules are tried by ascending `position` (ties keep the
 * given order), a null criterion matches anything, a sector criterion matches when the
 * location lies inside the sector (never for a request without location), and the first
 * matching rule wins; `fallbackTeamId` (the front desk) gets the request when none does.
 * The decision explains, rule by rule, why each one tried before the match did not apply.
 */
export function routeRequest(
  input: RoutingInput,
  rules: readonly RoutingRule[],
  sectors: readonly Sector[],
  fallbackTeamId: string,
): RoutingDecision {
  const sectorsById = new Map(sectors.map((s) => [s.id, { sector: s, bbox: bboxOfGeometry(s.geometry) }]))
  const ordered = [...rules].sort((a, b) => a.position - b.position)
  const explanation: string[] = []
  const trace: RuleTrace[] = []
  for (const rule of ordered) {
    const mismatches = mismatchesOf(rule, input, sectorsById)
    trace.push({
      ruleId: rule.id,
      ruleName: rule.name,
      matched: mismatches.length === 0,
      mismatches: mismatches.map((m) => m.criterion),
    })
    if (mismatches.length > 0) {
      explanation.push(
        `Rule ${rule.position} "${rule.name}" does not match: ${mismatches.map((m) => m.why).join('; ')}.`,
      )
      continue
    }
    explanation.push(
      `Rule ${rule.position} "${rule.name}" matches: the request goes to team "${rule.teamId}".`,
    )
    return {
      teamId: rule.teamId,
      ruleId: rule.id,
      ruleName: rule.name,
      fallback: false,
      sectorId: rule.sectorId,
      explanation,
      trace,
    }
  }
  explanation.push(
    ordered.length === 0
      ? `There is no routing rule: the request goes to the fallback team "${fallbackTeamId}".`
      : `No rule matches: the request goes to the fallback team "${fallbackTeamId}".`,
  )
  return {
    teamId: fallbackTeamId,
    ruleId: null,
    ruleName: null,
    fallback: true,
    sectorId: null,
    explanation,
    trace,
  }
}

/** Names the routing words use; an unknown id is shown as it is. */
export interface RoutingNames {
  team(id: string): string | undefined
  category(id: string): string | undefined
  sector(id: string): string | undefined
}

const CHANNEL_WORDS: Record<Channel, string> = {
  portal: 'portail',
  phone: 'téléphone',
  counter: 'accueil',
  email: 'e-mail',
  mobile: 'application mobile',
  open311: 'Open311',
  api: 'API partenaire',
}

/**
 * The decision in one French sentence, as the intake form shows it before saving and the
 * request's history keeps it: « Orientée vers Voirie Nord : règle 3, catégorie Voirie +
 * secteur Nancy-Nord ». The rule is named by its position (what the Administration screen
 * lists), then the criteria that made it match.
 */
export function routingInWords(
  decision: RoutingDecision,
  rules: readonly RoutingRule[],
  names: RoutingNames,
): string {
  const team = names.team(decision.teamId) ?? decision.teamId
  const rule = decision.ruleId === null ? undefined : rules.find((r) => r.id === decision.ruleId)
  if (decision.fallback || !rule)
    return `Orientée vers ${team} : aucune règle ne s’applique, l’équipe d’accueil la reçoit`
  const criteria: string[] = []
  if (rule.categoryId !== null)
    criteria.push(`catégorie ${names.category(rule.categoryId) ?? rule.categoryId}`)
  if (rule.subcategory !== null) criteria.push(`sous-catégorie ${rule.subcategory}`)
  if (rule.channel !== null) criteria.push(`canal ${CHANNEL_WORDS[rule.channel]}`)
  if (rule.sectorId !== null) criteria.push(`secteur ${names.sector(rule.sectorId) ?? rule.sectorId}`)
  const why = criteria.length > 0 ? criteria.join(' + ') : 'toutes les demandes'
  return `Orientée vers ${team} : règle ${rule.position}, ${why}`
}
