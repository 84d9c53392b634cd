/**
 * The demo profile's reference data (Métropole du Grand Nancy): teams, categories,
 * sectors derived from the communes' outlines, routing rules and agents, bundled as
 * JSON under resources/demo and written to the cache by `seedReferenceData`.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { z } from 'zod'
import { Category, Team } from '../../../shared/domain'
import { RoutingRule as RoutingRuleSchema, Sector as SectorSchema } from '../../../shared/routing'
import type { Db } from '../store/db'
import {
  upsertAgent,
  upsertCategory,
  upsertRoutingRule,
  upsertSector,
  upsertTeam,
  upsertWorkflowDefinition,
  type RoutingRule,
  type Sector,
} from '../store/queries/reference'
import categoriesJson from '../../../../resources/demo/categories.json'
import routingRulesJson from '../../../../resources/demo/routing-rules.json'
import sectorsJson from '../../../../resources/demo/sectors.json'
import teamsJson from '../../../../resources/demo/teams.json'
import { DEMO_AGENTS, DEMO_STAFF } from './agents'

/** The team that gets what no routing rule claims (the front desk). */
export const DEMO_FALLBACK_TEAM = 'accueil'

// Parsed once at load: a broken demo file fails loudly here rather than as odd data later.
export const DEMO_TEAMS: readonly Team[] = z.array(Team).parse(teamsJson)
export const DEMO_CATEGORIES: readonly Category[] = z.array(Category).parse(categoriesJson)
export const DEMO_SECTORS: readonly Sector[] = z.array(SectorSchema).parse(sectorsJson)
export const DEMO_ROUTING_RULES: readonly RoutingRule[] = z.array(RoutingRuleSchema).parse(routingRulesJson)

/** resources/workflows of this checkout, when there is one (development, tests, scripts). */
export function findBundledWorkflowsDir(from = __dirname): string | null {
  let dir = from
  for (let i = 0; i < 8; i++) {
    const candidate = join(dir, 'resources', 'workflows')
    if (existsSync(candidate)) return candidate
    const parent = dirname(dir)
    if (parent === dir) break
    dir = parent
  }
  return null
}

/** Every `*.json` workflow definition of `dir`, stored as text (the workflow loader validates it). */
function seedWorkflows(db: Db, dir: string): number {
  let n = 0
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    const json = readFileSync(join(dir, file), 'utf8')
    const parsed = z.object({ id: z.string(), version: z.number().int() }).safeParse(JSON.parse(json))
    if (!parsed.success) throw new Error(`${join(dir, file)}: a workflow needs an "id" and a "version"`)
    upsertWorkflowDefinition(db, parsed.data.id, parsed.data.version, json)
    n++
  }
  return n
}

export interface SeedReferenceOptions {
  /** Where workflow definitions are; defaults to the checkout's resources/workflows when found. */
  workflowsDir?: string | null
}

/** Write the demo's reference data (idempotent: upserts). */
export function seedReferenceData(db: Db, options: SeedReferenceOptions = {}): { workflows: number } {
  return db.transaction(() => {
    DEMO_TEAMS.forEach((t) => upsertTeam(db, t))
    DEMO_CATEGORIES.forEach((c) => upsertCategory(db, c))
    DEMO_SECTORS.forEach((s) => upsertSector(db, s))
    DEMO_ROUTING_RULES.forEach((r) => upsertRoutingRule(db, r))
    ;[...DEMO_AGENTS, ...DEMO_STAFF].forEach((a) => upsertAgent(db, a))
    const dir = options.workflowsDir === undefined ? findBundledWorkflowsDir() : options.workflowsDir
    return { workflows: dir ? seedWorkflows(db, dir) : 0 }
  })()
}
