/**
 * Reply templates (issue 14): what a notice to a citizen says, per category and per event,
 * with placeholders. Shared by the server (which stores, checks and renders them), the
 * console's core (which administers them on the server) and the Administration screen
 * (which previews them and flags an unknown placeholder before saving). The agent's own
 * name is never a placeholder unless the configuration allows it (`notifications.allowAgentName`):
 * the citizen hears from the service.
 */
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

/** A category id, or `*` for any category. */
export const TemplateCategoryId = z.union([z.literal('*'), z.string().regex(/^[A-Za-z0-9_-]{1,64}$/)])

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
export const PLACEHOLDER_NAMES = Object.keys(PLACEHOLDERS) as Placeholder[]

export const TEMPLATE_LIMITS = { subject: 200, body: 10_000, sms: 480 } as const

export const TemplateText = z
  .object({
    subject: z.string().trim().min(1).max(TEMPLATE_LIMITS.subject),
    body: z.string().trim().min(1).max(TEMPLATE_LIMITS.body),
    sms: z.string().trim().min(1).max(TEMPLATE_LIMITS.sms),
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

export const key = (categoryId: string, event: string) => `${categoryId}\u0000${event}`

/** Where the template for `event` on `categoryId` is looked for, first to last. */
function templateKeysFor(categoryId: string, event: string): Array<[string, string]> {
  const keys: Array<[string, string]> = [
    [categoryId, event],
    ['*', event],
  ]
  if (event.startsWith('transition:')) keys.push([categoryId, 'transition'], ['*', 'transition'])
  return keys
}

/** The template for `event` on `categoryId`: the category's own, then any category's; a transition falls back on `transition`. */
export function pickTemplate<T extends TemplateText>(
  templates: ReadonlyMap<string, T>,
  categoryId: string,
  event: string,
): T | undefined {
  for (const [c, e] of templateKeysFor(categoryId, event)) {
    const t = templates.get(key(c, e))
    if (t) return t
  }
  return undefined
}

// --- SMS length ----------------------------------------------------------------------------

/** GSM 03.38's basic set: one septet each. */
const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà'
/** Its extension table: two septets each (an escape, then the character). */
const GSM_EXTENDED = '^{}\\[~]|€\f'

export interface SmsLength {
  /** `gsm7` when every character is in the GSM alphabet; otherwise the whole message goes as UCS-2. */
  encoding: 'gsm7' | 'ucs2'
  /** Length in the encoding's units (septets, or UTF-16 code units). */
  units: number
  /** Messages the provider sends (0 for an empty text). */
  segments: number
  /** Units of one message alone: 160 in GSM-7, 70 in UCS-2. */
  single: number
  /** Units per part once it is split: 153 in GSM-7, 67 in UCS-2 (the rest carries the joining header). */
  perSegment: number
  /** Characters that force UCS-2 (the first few). */
  wideCharacters: string[]
}

/** How long an SMS is and how many messages it takes, as operators count them. */
export function smsLength(text: string): SmsLength {
  let septets = 0
  const wide: string[] = []
  for (const ch of text) {
    if (GSM_BASIC.includes(ch)) septets += 1
    else if (GSM_EXTENDED.includes(ch)) septets += 2
    else if (!wide.includes(ch) && wide.push(ch) >= 5) break
  }
  const gsm = wide.length === 0
  const units = gsm ? septets : text.length
  const single = gsm ? 160 : 70
  const perSegment = gsm ? 153 : 67
  const segments = units === 0 ? 0 : units <= single ? 1 : Math.ceil(units / perSegment)
  return { encoding: gsm ? 'gsm7' : 'ucs2', units, segments, single, perSegment, wideCharacters: wide }
}

// --- the server's replies (/api/v1/admin/notice-templates) ---------------------------------

export const StoredNoticeTemplate = NoticeTemplate.extend({
  /** 0: the shipped default, not changed on this server. */
  version: z.number().int().nonnegative(),
  updatedAt: z.number().int().nullable(),
  updatedBy: z.string().max(200).nullable(),
})
export type StoredNoticeTemplate = z.infer<typeof StoredNoticeTemplate>

export const NoticeTemplatesReply = z.object({
  templates: z.array(StoredNoticeTemplate).max(5000),
  placeholders: z.record(z.string().max(64), z.string().max(500)),
  allowAgentName: z.boolean(),
})
export type NoticeTemplatesReply = z.infer<typeof NoticeTemplatesReply>

export const NoticeTemplateSaveReply = z.object({ template: StoredNoticeTemplate })
