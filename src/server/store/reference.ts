/**
 * Reference data on the server: agents (by id and login) and the other items (teams,
 * categories, sectors, routing rules, workflows) as JSON documents by kind. Decisions read
 * them often and they change rarely: a snapshot is kept in memory and reloaded when the
 * feed's reference entry moved (on any instance), checked once per write transaction.
 */
import type { ReferenceLookup } from '../../core/requests/operations'
import type { StoredWorkflow } from '../../core/demo/reference'
import { Category, Team, type AgentSummary } from '../../shared/domain'
import { RoutingRule, Sector } from '../../shared/routing'
import type { ReferenceBundle } from '../../shared/sync'
import { agentParams, toAgent, type AgentDbRow } from './rows'
import type { Sql } from './sql/client'
import { loadCapacity } from './capacity'

export type ReferenceKind = 'team' | 'category' | 'sector' | 'routing_rule' | 'workflow'

export interface ReferenceSnapshot extends ReferenceLookup {
  version: number
  bundle: ReferenceBundle
}

const byName = <T extends { name: string }>(a: T, b: T) => a.name.localeCompare(b.name, 'fr')

async function items<T>(sql: Pick<Sql, 'all'>, kind: ReferenceKind, parse: (v: unknown) => T): Promise<T[]> {
  const rows = await sql.all<{ data: string }>(
    'SELECT data FROM reference_items WHERE kind = ? ORDER BY id',
    [kind],
  )
  return rows.map((r) => parse(JSON.parse(r.data)))
}

/** The sequence of the last reference change (0: none yet). */
export async function referenceVersion(sql: Pick<Sql, 'get'>): Promise<number> {
  const row = await sql.get<{ seq: number }>(
    "SELECT seq FROM change_scope WHERE scope = '*' AND entity = 'reference' AND entity_id = 'all'",
  )
  return row?.seq ?? 0
}

export async function loadReference(sql: Pick<Sql, 'all' | 'get'>): Promise<ReferenceSnapshot> {
  const version = await referenceVersion(sql)
  const [teams, categories, sectors, routingRules, workflows, agentRows] = await Promise.all([
    items(sql, 'team', (v) => Team.parse(v)),
    items(sql, 'category', (v) => Category.parse(v)),
    items(sql, 'sector', (v) => Sector.parse(v)),
    items(sql, 'routing_rule', (v) => RoutingRule.parse(v)),
    items(sql, 'workflow', (v) => v as { id: string; version: number; definition: unknown }),
    sql.all<AgentDbRow>(
      'SELECT id, login, display_name, roles, team_ids FROM agents ORDER BY display_name, id',
    ),
  ])
  const agents = agentRows.map(toAgent)
  const categoryById = new Map(categories.map((c) => [c.id, c]))
  const agentById = new Map(agents.map((a) => [a.id, a]))
  routingRules.sort((a, b) => a.position - b.position || a.id.localeCompare(b.id))
  return {
    version,
    bundle: {
      teams: teams.sort(byName),
      categories: categories.sort((a, b) => a.name.fr.localeCompare(b.name.fr, 'fr')),
      agents,
      sectors,
      routingRules,
      workflows,
      // People's capacity for the dispatch board (issue 15): a change touches the reference entry.
      capacity: await loadCapacity(sql),
    },
    category: (id) => categoryById.get(id),
    agent: (id) => agentById.get(id),
    routingRules: () => routingRules,
    sectors: () => sectors,
  }
}

export async function putReferenceItem(
  sql: Pick<Sql, 'run'>,
  kind: ReferenceKind,
  id: string,
  data: unknown,
): Promise<void> {
  await sql.run(
    `INSERT INTO reference_items (kind, id, data) VALUES (?, ?, ?)
     ON CONFLICT (kind, id) DO UPDATE SET data = excluded.data`,
    [kind, id, JSON.stringify(data)],
  )
}

export async function putWorkflow(sql: Pick<Sql, 'run'>, w: StoredWorkflow): Promise<void> {
  await putReferenceItem(sql, 'workflow', w.id, {
    id: w.id,
    version: w.version,
    definition: JSON.parse(w.json),
  })
}

export async function upsertAgent(sql: Pick<Sql, 'run'>, agent: AgentSummary): Promise<void> {
  await sql.run(
    `INSERT INTO agents (id, login, display_name, roles, team_ids) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET login = excluded.login, display_name = excluded.display_name,
       roles = excluded.roles, team_ids = excluded.team_ids`,
    agentParams(agent),
  )
}

export async function agentByLogin(sql: Pick<Sql, 'get'>, login: string): Promise<AgentSummary | undefined> {
  const row = await sql.get<AgentDbRow>(
    'SELECT id, login, display_name, roles, team_ids FROM agents WHERE login = ?',
    [login],
  )
  return row && toAgent(row)
}

export async function agentById(sql: Pick<Sql, 'get'>, id: string): Promise<AgentSummary | undefined> {
  const row = await sql.get<AgentDbRow>(
    'SELECT id, login, display_name, roles, team_ids FROM agents WHERE id = ?',
    [id],
  )
  return row && toAgent(row)
}
