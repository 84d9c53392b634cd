/**
 * The templates administrators changed, stored on the server (table `notice_templates`),
 * over the shipped defaults. One row per (category, event); `*` stands for any category.
 * A save names the version it replaces (null: a new one), so two administrators never
 * overwrite each other unknowingly.
 */
import { CoreError } from '../../shared/result'
import type { Sql } from '../store/sql/client'
import { defaultTemplates, key, templateProblem, type NoticeTemplate, type TemplateText } from './templates'

export interface StoredTemplate extends NoticeTemplate {
  /** 0: the shipped default, not changed on this server. */
  version: number
  updatedAt: number | null
  updatedBy: string | null
}

interface TemplateRow {
  category_id: string
  event: string
  subject: string
  body: string
  sms: string
  version: number
  updated_at: number
  updated_by: string
}

const fromRow = (r: TemplateRow): StoredTemplate => ({
  categoryId: r.category_id,
  event: r.event,
  subject: r.subject,
  body: r.body,
  sms: r.sms,
  version: Number(r.version),
  updatedAt: Number(r.updated_at),
  updatedBy: r.updated_by,
})

/** Every template in force: the defaults, each replaced by its stored version when there is one. */
export async function listTemplates(sql: Pick<Sql, 'all'>): Promise<StoredTemplate[]> {
  const rows = await sql.all<TemplateRow>(
    'SELECT category_id, event, subject, body, sms, version, updated_at, updated_by FROM notice_templates',
  )
  const byKey = new Map<string, StoredTemplate>(
    defaultTemplates().map((t) => [
      key(t.categoryId, t.event),
      { ...t, version: 0, updatedAt: null, updatedBy: null },
    ]),
  )
  for (const r of rows) byKey.set(key(r.category_id, r.event), fromRow(r))
  return [...byKey.values()].sort((a, b) =>
    a.categoryId === b.categoryId
      ? a.event.localeCompare(b.event)
      : a.categoryId === '*'
        ? -1
        : b.categoryId === '*'
          ? 1
          : a.categoryId.localeCompare(b.categoryId),
  )
}

/** The templates in force by key, for rendering. */
export async function templatesInForce(sql: Pick<Sql, 'all'>): Promise<Map<string, TemplateText>> {
  return new Map((await listTemplates(sql)).map((t) => [key(t.categoryId, t.event), t]))
}

export interface SaveTemplateInput {
  categoryId: string
  event: string
  text: TemplateText
  /** The version the administrator edited (0: the default or nothing). */
  baseVersion: number
  actor: string
  at: number
  allowAgentName: boolean
  /** The category must exist (`*` always does). */
  categoryExists: (id: string) => boolean
}

/** Save an administrator's template; the stored row. */
export async function saveTemplate(
  sql: Pick<Sql, 'get' | 'run'>,
  input: SaveTemplateInput,
): Promise<StoredTemplate> {
  const { categoryId, event, text } = input
  if (categoryId !== '*' && !input.categoryExists(categoryId))
    throw new CoreError('invalid_input', `Rubrique inconnue : ${categoryId}.`)
  const problem = templateProblem(text, input.allowAgentName)
  if (problem) throw new CoreError('invalid_input', problem)
  const current = await sql.get<{ version: number; updated_by: string; updated_at: number }>(
    'SELECT version, updated_by, updated_at FROM notice_templates WHERE category_id = ? AND event = ?',
    [categoryId, event],
  )
  const currentVersion = current ? Number(current.version) : 0
  if (currentVersion !== input.baseVersion)
    throw new CoreError(
      'version_conflict',
      `Ce modèle a été modifié entre-temps${current ? ` par ${current.updated_by}` : ''} : rechargez-le avant de l’enregistrer.`,
    )
  const version = currentVersion + 1
  const params = [text.subject, text.body, text.sms, version, input.at, input.actor, categoryId, event]
  const changed = current
    ? await sql.run(
        `UPDATE notice_templates SET subject = ?, body = ?, sms = ?, version = ?, updated_at = ?, updated_by = ?
         WHERE category_id = ? AND event = ? AND version = ${currentVersion}`,
        params,
      )
    : await sql.run(
        `INSERT INTO notice_templates (subject, body, sms, version, updated_at, updated_by, category_id, event)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (category_id, event) DO NOTHING`,
        params,
      )
  if (changed !== 1)
    throw new CoreError(
      'version_conflict',
      'Ce modèle a été modifié entre-temps : rechargez-le avant de l’enregistrer.',
    )
  return { categoryId, event, ...text, version, updatedAt: input.at, updatedBy: input.actor }
}

/** Back to the shipped default (or to nothing, for a category's own template). */
export async function resetTemplate(
  sql: Pick<Sql, 'run'>,
  categoryId: string,
  event: string,
): Promise<boolean> {
  return (
    (await sql.run('DELETE FROM notice_templates WHERE category_id = ? AND event = ?', [categoryId, event])) >
    0
  )
}
