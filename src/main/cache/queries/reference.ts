/**
 * Reference data: teams, agents, categories, workflow definitions, sectors and routing
 * rules. Small tables read whole; the upserts serve the demo seed and the sync.
 */
import {
  CHANNELS,
  ROLES,
  type AgentSummary,
  type Category,
  type Channel,
  type Role,
  type Team,
} from '../../../shared/domain'
import type { RoutingRule, Sector, SectorGeometry } from '../../../shared/routing'
import { agentIdFor } from '../../../core/directory/agentId'
import type { Db } from '../db'
import type { Scope } from '../../../core/authz/scope'
import { cached, inList } from '../statements'

export type { RoutingRule, Sector, SectorGeometry }
export { agentIdFor }

export interface WorkflowDefinitionRaw {
  id: string
  version: number
  /** The definition as JSON text, validated by the workflow loader. */
  json: string
}

const parseArray = (json: string): unknown[] => {
  const v: unknown = JSON.parse(json)
  return Array.isArray(v) ? v : []
}
const isChannel = (c: string): c is Channel => (CHANNELS as readonly string[]).includes(c)
const isRole = (r: unknown): r is Role => typeof r === 'string' && (ROLES as readonly string[]).includes(r)

// --- teams -------------------------------------------------------------------------------

export function listTeams(db: Db): Team[] {
  return cached(db, 'SELECT id, code, name FROM teams ORDER BY name').all() as Team[]
}

export function upsertTeam(db: Db, team: Team): void {
  cached(
    db,
    `INSERT INTO teams (id, code, name) VALUES (?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET code = excluded.code, name = excluded.name`,
  ).run(team.id, team.code, team.name)
}

// --- agents ------------------------------------------------------------------------------

interface DbAgentRow {
  id: string
  login: string
  display_name: string
  roles: string
  team_ids: string
}

const toAgent = (r: DbAgentRow): AgentSummary => ({
  id: r.id,
  login: r.login,
  displayName: r.display_name,
  roles: parseArray(r.roles).filter(isRole),
  teamIds: parseArray(r.team_ids).filter((t): t is string => typeof t === 'string'),
})

/** Agents, by display name; with a team scope, only the agents of those teams. */
export function listAgents(db: Db, scope?: Scope): AgentSummary[] {
  if (!scope || scope.kind === 'all')
    return (cached(db, 'SELECT * FROM agents ORDER BY display_name, id').all() as DbAgentRow[]).map(toAgent)
  if (scope.teamIds.length === 0) return []
  const params: Record<string, unknown> = {}
  const teams = inList(params, 't', scope.teamIds)
  const rows = cached(
    db,
    `SELECT * FROM agents WHERE id IN (SELECT agent_id FROM agent_teams WHERE team_id IN (${teams}))
     ORDER BY display_name, id`,
  ).all(params) as DbAgentRow[]
  return rows.map(toAgent)
}

export function getAgentById(db: Db, id: string): AgentSummary | undefined {
  const r = cached(db, 'SELECT * FROM agents WHERE id = ?').get(id) as DbAgentRow | undefined
  return r && toAgent(r)
}

export function getAgentByLogin(db: Db, login: string): AgentSummary | undefined {
  const r = cached(db, 'SELECT * FROM agents WHERE login = ?').get(login) as DbAgentRow | undefined
  return r && toAgent(r)
}

/** Insert or update an agent and their team memberships (the directory is the authority). */
export function upsertAgent(db: Db, agent: AgentSummary): void {
  db.transaction(() => {
    cached(
      db,
      `INSERT INTO agents (id, login, display_name, roles, team_ids) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET login = excluded.login, display_name = excluded.display_name,
         roles = excluded.roles, team_ids = excluded.team_ids`,
    ).run(
      agent.id,
      agent.login,
      agent.displayName,
      JSON.stringify(agent.roles),
      JSON.stringify(agent.teamIds),
    )
    cached(db, 'DELETE FROM agent_teams WHERE agent_id = ?').run(agent.id)
    const add = cached(db, 'INSERT OR IGNORE INTO agent_teams (agent_id, team_id) VALUES (?, ?)')
    for (const team of agent.teamIds) add.run(agent.id, team)
  })()
}

// --- categories --------------------------------------------------------------------------

interface DbCategoryRow {
  id: string
  code: string
  name_fr: string
  name_en: string
  workflow_id: string
  default_team_id: string
  sla_business_hours: number
  requires_location: number
  subcategories: string
  /** JSON `{ radiusM, windowDays }`: the category's own duplicate rules; null: the defaults. */
  duplicates: string | null
}

const toCategory = (r: DbCategoryRow): Category => ({
  id: r.id,
  code: r.code,
  name: { fr: r.name_fr, en: r.name_en },
  workflowId: r.workflow_id,
  defaultTeamId: r.default_team_id,
  slaBusinessHours: r.sla_business_hours,
  requiresLocation: r.requires_location === 1,
  subcategories: parseArray(r.subcategories).filter((s): s is string => typeof s === 'string'),
  ...(r.duplicates ? { duplicates: JSON.parse(r.duplicates) as Category['duplicates'] } : {}),
})

export function listCategories(db: Db): Category[] {
  return (cached(db, 'SELECT * FROM categories ORDER BY name_fr').all() as DbCategoryRow[]).map(toCategory)
}

export function getCategory(db: Db, id: string): Category | undefined {
  const r = cached(db, 'SELECT * FROM categories WHERE id = ?').get(id) as DbCategoryRow | undefined
  return r && toCategory(r)
}

export function upsertCategory(db: Db, c: Category): void {
  cached(
    db,
    `INSERT INTO categories (id, code, name_fr, name_en, workflow_id, default_team_id, sla_business_hours,
       requires_location, subcategories, duplicates) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET code = excluded.code, name_fr = excluded.name_fr, name_en = excluded.name_en,
       workflow_id = excluded.workflow_id, default_team_id = excluded.default_team_id,
       sla_business_hours = excluded.sla_business_hours, requires_location = excluded.requires_location,
       subcategories = excluded.subcategories, duplicates = excluded.duplicates`,
  ).run(
    c.id,
    c.code,
    c.name.fr,
    c.name.en,
    c.workflowId,
    c.defaultTeamId,
    c.slaBusinessHours,
    c.requiresLocation ? 1 : 0,
    JSON.stringify(c.subcategories),
    c.duplicates ? JSON.stringify(c.duplicates) : null,
  )
}

// --- workflow definitions ----------------------------------------------------------------

export function listWorkflowDefinitionsRaw(db: Db): WorkflowDefinitionRaw[] {
  return cached(
    db,
    'SELECT id, version, definition AS json FROM workflows ORDER BY id',
  ).all() as WorkflowDefinitionRaw[]
}

export function upsertWorkflowDefinition(db: Db, id: string, version: number, json: string): void {
  cached(
    db,
    `INSERT INTO workflows (id, version, definition) VALUES (?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET version = excluded.version, definition = excluded.definition`,
  ).run(id, version, json)
}

// --- sectors and routing rules -----------------------------------------------------------

export function listSectors(db: Db): Sector[] {
  const rows = cached(db, 'SELECT id, name, commune_code, geometry FROM sectors ORDER BY id').all() as Array<{
    id: string
    name: string
    commune_code: string | null
    geometry: string
  }>
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    communeCode: r.commune_code,
    geometry: JSON.parse(r.geometry) as SectorGeometry,
  }))
}

export function upsertSector(db: Db, s: Sector): void {
  cached(
    db,
    `INSERT INTO sectors (id, name, commune_code, geometry) VALUES (?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET name = excluded.name, commune_code = excluded.commune_code,
       geometry = excluded.geometry`,
  ).run(s.id, s.name, s.communeCode, JSON.stringify(s.geometry))
}

export function listRoutingRules(db: Db): RoutingRule[] {
  const rows = cached(
    db,
    `SELECT id, position, name, category_id, subcategory, channel, sector_id, team_id
     FROM routing_rules ORDER BY position, id`,
  ).all() as Array<{
    id: string
    position: number
    name: string
    category_id: string | null
    subcategory: string | null
    channel: string | null
    sector_id: string | null
    team_id: string
  }>
  // A rule on a channel this console does not know (written by a newer server) can never
  // match here; it is left out rather than read as "any channel".
  return rows.flatMap((r) =>
    r.channel !== null && !isChannel(r.channel)
      ? []
      : [
          {
            id: r.id,
            position: r.position,
            name: r.name,
            categoryId: r.category_id,
            subcategory: r.subcategory,
            channel: r.channel,
            sectorId: r.sector_id,
            teamId: r.team_id,
          },
        ],
  )
}

export function upsertRoutingRule(db: Db, r: RoutingRule): void {
  cached(
    db,
    `INSERT INTO routing_rules (id, position, name, category_id, subcategory, channel, sector_id, team_id)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET position = excluded.position, name = excluded.name,
       category_id = excluded.category_id, subcategory = excluded.subcategory, channel = excluded.channel,
       sector_id = excluded.sector_id, team_id = excluded.team_id`,
  ).run(r.id, r.position, r.name, r.categoryId, r.subcategory, r.channel, r.sectorId, r.teamId)
}
