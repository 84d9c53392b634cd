/**
 * Reply templates: what a notice says, per category and per event, in French, with
 * placeholders. The defaults ship in resources/notices/templates.json; administrators
 * replace them per category on the server (templateStore.ts). The agent's own name is
 * never a placeholder unless the configuration allows it (`notifications.allowAgentName`):
 * the citizen hears from the service.
 */
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { z } from 'zod'

/**
 * `public_reply`, `transition` (any status change that notifies), `transition:<id>`, or
 * `master_resolved` (the master of a duplicate was resolved).
 */
export const NoticeEvent = z
  .string()
  .regex(
    /^(public_reply|master_resolved|transition|transition:[a-z0-9_]{1,64})$/,
    'public_reply, master_resolved, transition or transition:<id>',
  )

/** Every placeholder a template may use, with what it becomes. */
export const PLACEHOLDERS = {
  reference: 'la référence de la demande (GRC-2026-000123)',
  categorie: 'la rubrique',
  adresse: 'l’adresse (vide sans adresse)',
  adresse_precedee: '« , » suivi de l’adresse (vide sans adresse)',
  date_demande: 'la date de la demande',
  date: 'la date de l’événement (réponse, changement de statut)',
  statut: 'le nouveau statut',
  service: 'le nom du service qui traite la demande',
  message: 'le texte de la réponse publique',
  motif: 'le motif d’un rejet',
  precision: 'la précision demandée à l’usager',
  resolution: 'la note de résolution',
  echeance: 'la date d’échéance (vide sans échéance)',
  principale: 'la référence de la demande principale d’un doublon (vide sinon)',
  agent: 'le nom de l’agent (seulement si notifications.allowAgentName)',
} as const
export type Placeholder = keyof typeof PLACEHOLDERS

const LIMITS = { subject: 200, body: 10_000, sms: 480 }

export const TemplateText = z
  .object({
    subject: z.string().trim().min(1).max(LIMITS.subject),
    body: z.string().trim().min(1).max(LIMITS.body),
    sms: z.string().trim().min(1).max(LIMITS.sms),
  })
  .strict()
export type TemplateText = z.infer<typeof TemplateText>

export const NoticeTemplate = TemplateText.extend({
  categoryId: z.string().min(1).max(64),
  event: NoticeEvent,
})
export type NoticeTemplate = z.infer<typeof NoticeTemplate>

const PLACEHOLDER = /\{([a-z_]+)\}/g

/** The placeholders of `text` that do not exist or are not allowed: empty when it is fine. */
export function unknownPlaceholders(text: string, allowAgentName: boolean): string[] {
  const bad = new Set<string>()
  for (const [, name] of text.matchAll(PLACEHOLDER))
    if (!(name! in PLACEHOLDERS) || (name === 'agent' && !allowAgentName)) bad.add(name!)
  return [...bad]
}

/** A template's texts checked for placeholders: the first problem in French, or null. */
export function templateProblem(t: TemplateText, allowAgentName: boolean): string | null {
  for (const field of ['subject', 'body', 'sms'] as const) {
    const bad = unknownPlaceholders(t[field], allowAgentName)
    if (bad.length > 0)
      return bad.includes('agent') && !allowAgentName
        ? `${field} : {agent} n’est pas permis (le nom de l’agent n’est jamais envoyé à l’usager sauf si la configuration l’autorise)`
        : `${field} : variable inconnue ${bad.map((b) => `{${b}}`).join(', ')} (variables : ${Object.keys(PLACEHOLDERS).join(', ')})`
  }
  if (/[\r\n]/.test(t.subject)) return 'subject : une seule ligne'
  return null
}

export type PlaceholderValues = Partial<Record<Placeholder, string>>

/** `text` with its placeholders replaced (a missing value reads as empty). */
export function renderTemplate(text: string, values: PlaceholderValues): string {
  return text.replace(PLACEHOLDER, (whole, name: string) =>
    name in PLACEHOLDERS ? (values[name as Placeholder] ?? '') : whole,
  )
}

/** The template for `event` on `categoryId`: the category's own, then any category's; a transition falls back on `transition`. */
export function pickTemplate(
  templates: ReadonlyMap<string, TemplateText>,
  categoryId: string,
  event: string,
): TemplateText | undefined {
  const keys = [key(categoryId, event), key('*', event)]
  if (event.startsWith('transition:')) keys.push(key(categoryId, 'transition'), key('*', 'transition'))
  for (const k of keys) {
    const t = templates.get(k)
    if (t) return t
  }
  return undefined
}

export const key = (categoryId: string, event: string) => `${categoryId}\u0000${event}`

const DefaultsFile = z.object({ templates: z.array(NoticeTemplate).min(1) })

/** resources/notices, found from this file upwards (the repository, or a packaged copy). */
function bundledTemplatesFile(from = __dirname): string {
  let dir = from
  for (let i = 0; i < 8; i++) {
    const candidate = join(dir, 'resources', 'notices', 'templates.json')
    if (existsSync(candidate)) return candidate
    const parent = dirname(dir)
    if (parent === dir) break
    dir = parent
  }
  throw new Error('resources/notices/templates.json not found: the default notice templates are missing')
}

let defaults: NoticeTemplate[] | null = null

/** The shipped templates, checked once (an unknown placeholder in them is a bug: refused at start). */
export function defaultTemplates(file?: string): NoticeTemplate[] {
  if (!file && defaults) return defaults
  const path = file ?? bundledTemplatesFile()
  const parsed = DefaultsFile.parse(JSON.parse(readFileSync(path, 'utf8')))
  for (const t of parsed.templates) {
    const problem = templateProblem(t, false)
    if (problem) throw new Error(`${path}: ${t.categoryId}/${t.event}: ${problem}`)
  }
  if (!file) defaults = parsed.templates
  return parsed.templates
}
