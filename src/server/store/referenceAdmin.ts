/**
 * Administrators change the authority's reference data on the server: teams, categories,
 * routing rules and sectors. Each change is checked (its shape, and that what it names
 * exists), made on the version the administrator saw, written to the audit trail, and
 * fed to every console (the reference bundle). Deleting what requests or rules still use
 * is refused, saying what uses it.
 */
import type { z } from 'zod'
import type { SessionInfo } from '../../shared/contract'
import { Category, Team } from '../../shared/domain'
import { CoreError } from '../../shared/result'
import { RoutingRule, Sector } from '../../shared/routing'
import { ChangeSet } from './feed'
import { parisTime } from './parisTime'
import type { ReferenceKind } from './reference'
import type { Sql, SqlDatabase } from './sql/client'

export const EDITABLE_KINDS = ['team', 'category', 'sector', 'routing_rule'] as const
export type EditableKind = (typeof EDITABLE_KINDS)[number]

const SCHEMAS: Record<EditableKind, z.ZodType> = {
  team: Team,
  category: Category,
  sector: Sector,
  routing_rule: RoutingRule,
}

const NAMES: Record<ReferenceKind, string> = {
  team: 'l’équipe',
  category: 'la catégorie',
  sector: 'le secteur',
  routing_rule: 'la règle d’affectation',
  workflow: 'le circuit',
}

export interface ReferenceItem {
  kind: ReferenceKind
  id: string
  version: number
  data: unknown
}

export interface AuditEntry {
  id: number
  kind: string
  itemId: string
  version: number
  action: 'create' | 'update' | 'delete'
  before: unknown
  after: unknown
  actorName: string | null
  at: number
}

interface ItemRow {
  kind: ReferenceKind
  id: string
  version: number
  data: string
}

export async function listReferenceItems(sql: Pick<Sql, 'all'>): Promise<ReferenceItem[]> {
  const rows = await sql.all<ItemRow>('SELECT kind, id, version, data FROM reference_items ORDER BY kind, id')
  return rows.map((r) => ({
    kind: r.kind,
    id: r.id,
    version: r.version,
    data: JSON.parse(r.data) as unknown,
  }))
}

async function item(tx: Sql, kind: ReferenceKind, id: string): Promise<ReferenceItem | undefined> {
  const lock = tx.dialect === 'postgres' ? ' FOR UPDATE' : ''
  const row = await tx.get<ItemRow>(
    `SELECT kind, id, version, data FROM reference_items WHERE kind = ? AND id = ?${lock}`,
    [kind, id],
  )
  return row && { kind: row.kind, id: row.id, version: row.version, data: JSON.parse(row.data) as unknown }
}

/** The refusal of an edit made on an older version: who changed it since, and when. */
async function staleVersion(tx: Sql, kind: ReferenceKind, id: string, current: number): Promise<CoreError> {
  const last = await tx.get<{ actor_name: string | null; at: number }>(
    'SELECT actor_name, at FROM reference_audit WHERE kind = ? AND item_id = ? ORDER BY id DESC LIMIT 1',
    [kind, id],
  )
  const by = last ? ` par ${last.actor_name ?? 'un autre administrateur'} le ${parisTime(last.at)}` : ''
  return new CoreError(
    'version_conflict',
    `${NAMES[kind][0]!.toUpperCase()}${NAMES[kind].slice(1)} a été modifié(e)${by} : rechargez avant d’enregistrer.`,
    { currentVersion: current },
  )
}

/** What `data` names must exist: a category's team and workflow, a rule's team, category, sector. */
async function assertReferencesExist(
  tx: Sql,
  kind: EditableKind,
  data: Record<string, unknown>,
): Promise<void> {
  const must = async (k: ReferenceKind, id: unknown, field: string) => {
    if (typeof id !== 'string') return
    if (!(await tx.get('SELECT 1 AS x FROM reference_items WHERE kind = ? AND id = ?', [k, id])))
      throw new CoreError('invalid_input', `${field} : ${NAMES[k]} « ${id} » n’existe pas.`)
  }
  if (kind === 'category') {
    await must('team', data.defaultTeamId, 'Équipe par défaut')
    await must('workflow', data.workflowId, 'Circuit')
  }
  if (kind === 'routing_rule') {
    await must('team', data.teamId, 'Équipe')
    await must('category', data.categoryId, 'Catégorie')
    await must('sector', data.sectorId, 'Secteur')
    if (typeof data.categoryId === 'string' && typeof data.subcategory === 'string') {
      const category = await item(tx, 'category', data.categoryId)
      const subs = (category?.data as { subcategories?: string[] } | undefined)?.subcategories ?? []
      if (!subs.includes(data.subcategory))
        throw new CoreError(
          'invalid_input',
          `Sous-catégorie : « ${data.subcategory} » n’est pas une sous-catégorie de cette catégorie.`,
        )
    }
  }
}

/** What still uses an item, in words; null when nothing does. */
async function usedBy(tx: Sql, kind: EditableKind, id: string): Promise<string | null> {
  const count = async (sql: string, params: string[]) => (await tx.get<{ n: number }>(sql, params))?.n ?? 0
  const items = async (k: ReferenceKind) =>
    (await tx.all<{ data: string }>('SELECT data FROM reference_items WHERE kind = ?', [k])).map(
      (r) => JSON.parse(r.data) as Record<string, unknown>,
    )
  if (kind === 'team') {
    const requests = await count('SELECT count(*) AS n FROM requests WHERE team_id = ?', [id])
    if (requests > 0) return `Cette équipe traite encore ${requests} demande${requests > 1 ? 's' : ''}.`
    const rules = (await items('routing_rule')).filter((r) => r.teamId === id).length
    if (rules > 0)
      return `${rules} règle${rules > 1 ? 's' : ''} d’affectation envoie${rules > 1 ? 'nt' : ''} encore à cette équipe.`
    if ((await items('category')).some((c) => c.defaultTeamId === id))
      return 'Une catégorie a encore cette équipe par défaut.'
    const agents = await tx.all<{ team_ids: string }>('SELECT team_ids FROM agents')
    const members = agents.filter((a) => (JSON.parse(a.team_ids) as string[]).includes(id)).length
    if (members > 0)
      return `${members} agent${members > 1 ? 's sont' : ' est'} encore dans cette équipe (annuaire).`
  }
  if (kind === 'category') {
    const requests = await count('SELECT count(*) AS n FROM requests WHERE category_id = ?', [id])
    if (requests > 0) return `${requests} demande${requests > 1 ? 's sont' : ' est'} de cette catégorie.`
    if ((await items('routing_rule')).some((r) => r.categoryId === id))
      return 'Une règle d’affectation porte encore sur cette catégorie.'
  }
  if (kind === 'sector' && (await items('routing_rule')).some((r) => r.sectorId === id))
    return 'Une règle d’affectation porte encore sur ce secteur.'
  return null
}

async function audit(
  tx: Sql,
  session: SessionInfo,
  kind: ReferenceKind,
  id: string,
  version: number,
  action: AuditEntry['action'],
  before: unknown,
  after: unknown,
  at: number,
): Promise<void> {
  await tx.run(
    `INSERT INTO reference_audit (kind, item_id, version, action, before, after, actor_id, actor_name, at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      kind,
      id,
      version,
      action,
      before === undefined ? null : JSON.stringify(before),
      after === undefined ? null : JSON.stringify(after),
      session.agentId,
      session.displayName,
      at,
    ],
  )
}

/**
 * Create (`baseVersion` null) or change an item.
 * @throws CoreError invalid_input / version_conflict.
 */
export async function saveReferenceItem(
  db: SqlDatabase,
  session: SessionInfo,
  kind: EditableKind,
  id: string,
  raw: unknown,
  baseVersion: number | null,
  now: number,
): Promise<ReferenceItem> {
  const parsed = SCHEMAS[kind].safeParse(raw)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new CoreError(
      'invalid_input',
      `${issue?.path.join('.') || 'données'} : ${issue?.message ?? 'invalide'}`,
    )
  }
  const data = parsed.data as Record<string, unknown>
  if (data.id !== id)
    throw new CoreError('invalid_input', 'L’identifiant du contenu diffère de celui de l’adresse.')
  return db.transaction(async (tx) => {
    const before = await item(tx, kind, id)
    if (baseVersion === null && before)
      throw new CoreError('version_conflict', `${NAMES[kind]} « ${id} » existe déjà.`, {
        currentVersion: before.version,
      })
    if (baseVersion !== null && !before)
      throw new CoreError('not_found', `${NAMES[kind]} « ${id} » n’existe plus.`)
    if (before && before.version !== baseVersion) throw await staleVersion(tx, kind, id, before.version)
    await assertReferencesExist(tx, kind, data)
    const version = (before?.version ?? -1) + 1
    await tx.run(
      `INSERT INTO reference_items (kind, id, data, version) VALUES (?, ?, ?, ?)
       ON CONFLICT (kind, id) DO UPDATE SET data = excluded.data, version = excluded.version`,
      [kind, id, JSON.stringify(data), version],
    )
    await audit(tx, session, kind, id, version, before ? 'update' : 'create', before?.data, data, now)
    const changes = new ChangeSet()
    changes.reference()
    await changes.publish(db, tx)
    return { kind, id, version, data }
  })
}

/** @throws CoreError not_found / version_conflict / in_use. */
export async function deleteReferenceItem(
  db: SqlDatabase,
  session: SessionInfo,
  kind: EditableKind,
  id: string,
  baseVersion: number,
  now: number,
): Promise<void> {
  await db.transaction(async (tx) => {
    const before = await item(tx, kind, id)
    if (!before) throw new CoreError('not_found', `${NAMES[kind]} « ${id} » n’existe plus.`)
    if (before.version !== baseVersion) throw await staleVersion(tx, kind, id, before.version)
    const use = await usedBy(tx, kind, id)
    if (use) throw new CoreError('in_use', use)
    await tx.run('DELETE FROM reference_items WHERE kind = ? AND id = ?', [kind, id])
    await audit(tx, session, kind, id, before.version + 1, 'delete', before.data, undefined, now)
    const changes = new ChangeSet()
    changes.reference()
    await changes.publish(db, tx)
  })
}

export async function referenceAudit(
  sql: Pick<Sql, 'all'>,
  filter: { kind?: string; id?: string; limit: number },
): Promise<AuditEntry[]> {
  const where: string[] = []
  const params: Array<string | number> = []
  if (filter.kind) {
    where.push('kind = ?')
    params.push(filter.kind)
  }
  if (filter.id) {
    where.push('item_id = ?')
    params.push(filter.id)
  }
  const rows = await sql.all<{
    id: number
    kind: string
    item_id: string
    version: number
    action: AuditEntry['action']
    before: string | null
    after: string | null
    actor_name: string | null
    at: number
  }>(
    `SELECT id, kind, item_id, version, action, before, after, actor_name, at FROM reference_audit
     ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`,
    [...params, filter.limit],
  )
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    itemId: r.item_id,
    version: r.version,
    action: r.action,
    before: r.before === null ? null : (JSON.parse(r.before) as unknown),
    after: r.after === null ? null : (JSON.parse(r.after) as unknown),
    actorName: r.actor_name,
    at: r.at,
  }))
}
