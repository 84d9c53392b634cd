/**
 * Tags (« étiquettes »): short labels an agent puts on requests to find them again
 * (« presse », « élu », « hiver 2026 »), as back offices do. A tag is shown as it was first
 * typed, and compared case-folded: « Élu » and « élu » are the same tag.
 */
import { z } from 'zod'

export const TAG_LIMITS = {
  /** Characters of one tag, once trimmed. */
  length: 40,
  /** Tags on one request. */
  perRequest: 20,
  /** Tags one change adds or removes. */
  perChange: 20,
} as const

// Control characters (C0, DEL, C1) never belong in a label: they hide text or break lines.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/

/** One tag as typed: trimmed, 1 to 40 characters, no control characters. */
export const Tag = z
  .string()
  .trim()
  .min(1, 'Une étiquette ne peut pas être vide.')
  .max(TAG_LIMITS.length, `Une étiquette compte au plus ${TAG_LIMITS.length} caractères.`)
  .refine((t) => !CONTROL.test(t), 'Une étiquette ne peut pas contenir de caractères de contrôle.')

/** The tags a change adds and removes (a channel adds the request's id or the selection). */
export const TAG_CHANGE_SHAPE = {
  add: z.array(Tag).max(TAG_LIMITS.perChange).default([]),
  remove: z.array(Tag).max(TAG_LIMITS.perChange).default([]),
}

/** `TAG_CHANGE_SHAPE` with `shape`, refused when it neither adds nor removes. */
export const tagChangeWith = <S extends z.ZodRawShape>(shape: S) =>
  z
    .object({ ...shape, ...TAG_CHANGE_SHAPE })
    .strict()
    .refine((c) => {
      const { add, remove } = c as { add: string[]; remove: string[] }
      return add.length + remove.length > 0
    }, 'Aucune étiquette à ajouter ni à retirer.')

/** What one change does to a request's tags: a set operation on the tags it has then. */
export const TagChange = tagChangeWith({})
export type TagChange = z.output<typeof TagChange>

/** The key two tags are compared by: case and compatibility forms folded (« Élu » = « élu »). */
export const tagKey = (tag: string): string => tag.trim().normalize('NFKC').toLocaleLowerCase('fr')

/** `tags` without repeats (by key), the first spelling kept, in their order. */
export function distinctTags(tags: readonly string[]): string[] {
  const seen = new Set<string>()
  const out: string[] = []
  for (const raw of tags) {
    const tag = raw.trim()
    const key = tagKey(tag)
    if (key === '' || seen.has(key)) continue
    seen.add(key)
    out.push(tag)
  }
  return out
}
