/**
 * A new authority's reference data from its own files (`--reference DIR`), in the formats
 * of resources/demo: teams.json, categories.json, sectors.json, routing-rules.json (each a
 * JSON array) and workflows/*.json (one definition per file). Everything is checked before
 * anything is written; an error names the file, the item and the field. Written once, into
 * a database that has no reference data yet; administrators change it afterwards.
 */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { z } from 'zod'
import { readWorkflowFiles } from '../../core/demo/reference'
import { parseWorkflowDefinition } from '../../core/workflow/definitions'
import { Category, Team } from '../../shared/domain'
import { RoutingRule, Sector } from '../../shared/routing'
import { ChangeSet } from './feed'
import { putReferenceItem, putWorkflow } from './reference'
import type { SqlDatabase } from './sql/client'

export class ReferenceFilesError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ReferenceFilesError'
  }
}

function readArray<T>(dir: string, file: string, schema: z.ZodType<T>, required: boolean): T[] {
  const path = join(dir, file)
  if (!existsSync(path)) {
    if (required) throw new ReferenceFilesError(`${path}: missing (see docs/server.md for the formats)`)
    return []
  }
  let raw: unknown
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'))
  } catch (e) {
    throw new ReferenceFilesError(`${path}: not valid JSON (${(e as Error).message})`)
  }
  const parsed = z.array(schema).safeParse(raw)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    throw new ReferenceFilesError(
      `${path}: ${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`,
    )
  }
  return parsed.data
}

export interface ReferenceFiles {
  teams: Team[]
  categories: Category[]
  sectors: Sector[]
  routingRules: RoutingRule[]
  workflows: ReturnType<typeof readWorkflowFiles>
}

/** Read and check an authority's reference files. @throws ReferenceFilesError */
export function readReferenceFiles(dir: string): ReferenceFiles {
  const teams = readArray(dir, 'teams.json', Team, true)
  const categories = readArray(dir, 'categories.json', Category, true)
  const sectors = readArray(dir, 'sectors.json', Sector, false)
  const routingRules = readArray(dir, 'routing-rules.json', RoutingRule, false)
  const workflowsDir = join(dir, 'workflows')
  if (!existsSync(workflowsDir))
    throw new ReferenceFilesError(`${workflowsDir}: missing (one workflow definition per file)`)
  let workflows: ReferenceFiles['workflows']
  try {
    workflows = readWorkflowFiles(workflowsDir)
    for (const w of workflows) parseWorkflowDefinition(JSON.parse(w.json), join(workflowsDir, `${w.id}.json`))
  } catch (e) {
    throw new ReferenceFilesError((e as Error).message)
  }
  const ids = (list: Array<{ id: string }>) => new Set(list.map((x) => x.id))
  const [teamIds, categoryIds, sectorIds, workflowIds] = [
    ids(teams),
    ids(categories),
    ids(sectors),
    ids(workflows),
  ]
  for (const c of categories) {
    if (!teamIds.has(c.defaultTeamId))
      throw new ReferenceFilesError(
        `${join(dir, 'categories.json')}: ${c.id}.defaultTeamId: no team ${c.defaultTeamId}`,
      )
    if (!workflowIds.has(c.workflowId))
      throw new ReferenceFilesError(
        `${join(dir, 'categories.json')}: ${c.id}.workflowId: no workflow ${c.workflowId}`,
      )
  }
  for (const r of routingRules) {
    const file = join(dir, 'routing-rules.json')
    if (!teamIds.has(r.teamId)) throw new ReferenceFilesError(`${file}: ${r.id}.teamId: no team ${r.teamId}`)
    if (r.categoryId && !categoryIds.has(r.categoryId))
      throw new ReferenceFilesError(`${file}: ${r.id}.categoryId: no category ${r.categoryId}`)
    if (r.sectorId && !sectorIds.has(r.sectorId))
      throw new ReferenceFilesError(`${file}: ${r.id}.sectorId: no sector ${r.sectorId}`)
  }
  return { teams, categories, sectors, routingRules, workflows }
}

/**
 * Write an authority's reference files into a database that has none yet.
 * @returns false when the database already has reference data (left as it is).
 */
export async function loadReferenceFiles(db: SqlDatabase, dir: string): Promise<boolean> {
  const files = readReferenceFiles(dir)
  return db.transaction(async (tx) => {
    if (await tx.get('SELECT 1 AS x FROM reference_items LIMIT 1')) return false
    for (const t of files.teams) await putReferenceItem(tx, 'team', t.id, t)
    for (const c of files.categories) await putReferenceItem(tx, 'category', c.id, c)
    for (const s of files.sectors) await putReferenceItem(tx, 'sector', s.id, s)
    for (const r of files.routingRules) await putReferenceItem(tx, 'routing_rule', r.id, r)
    for (const w of files.workflows) await putWorkflow(tx, w)
    const changes = new ChangeSet()
    changes.reference()
    await changes.publish(db, tx)
    return true
  })
}
