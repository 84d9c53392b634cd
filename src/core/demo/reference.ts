/**
 * The demo profile's reference data (Métropole du Grand Nancy): teams, categories,
 * sectors derived from the communes' outlines, routing rules and agents, bundled as
 * JSON under resources/demo; each store writes `demoReference()` its own way.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { z } from 'zod'
import { Category, Team, type AgentSummary } from '../../shared/domain'
import {
  RoutingRule as RoutingRuleSchema,
  Sector as SectorSchema,
  type RoutingRule,
  type Sector,
} from '../../shared/routing'
import categoriesJson from '../../../resources/demo/categories.json'
import routingRulesJson from '../../../resources/demo/routing-rules.json'
import sectorsJson from '../../../resources/demo/sectors.json'
import teamsJson from '../../../resources/demo/teams.json'
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

/** A workflow definition as stored: its text (the workflow loader validates it). */
export interface StoredWorkflow {
  id: string
  version: number
  json: string
}

/** Every `*.json` workflow definition of `dir`, in file-name order. */
export function readWorkflowFiles(dir: string): StoredWorkflow[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => {
      const json = readFileSync(join(dir, file), 'utf8')
      const parsed = z.object({ id: z.string(), version: z.number().int() }).safeParse(JSON.parse(json))
      if (!parsed.success) throw new Error(`${join(dir, file)}: a workflow needs an "id" and a "version"`)
      return { ...parsed.data, json }
    })
}

export interface SeedReferenceOptions {
  /** Where workflow definitions are; defaults to the checkout's resources/workflows when found. */
  workflowsDir?: string | null
}

/** The demo authority's reference data, as each store writes it. */
export interface DemoReference {
  teams: readonly Team[]
  categories: readonly Category[]
  sectors: readonly Sector[]
  routingRules: readonly RoutingRule[]
  agents: readonly AgentSummary[]
  workflows: StoredWorkflow[]
}

export function demoReference(options: SeedReferenceOptions = {}): DemoReference {
  const dir = options.workflowsDir === undefined ? findBundledWorkflowsDir() : options.workflowsDir
  return {
    teams: DEMO_TEAMS,
    categories: DEMO_CATEGORIES,
    sectors: DEMO_SECTORS,
    routingRules: DEMO_ROUTING_RULES,
    agents: [...DEMO_AGENTS, ...DEMO_STAFF],
    workflows: dir ? readWorkflowFiles(dir) : [],
  }
}
