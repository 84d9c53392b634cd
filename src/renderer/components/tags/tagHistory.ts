/** A `tagged` history event in words: the tags added and removed, as typed. */
type Translate = (key: string, params: Record<string, string>) => string

const listOf = (value: unknown): string =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string').join(', ') : ''

export function tagHistoryText(t: Translate, data: Record<string, unknown>): string {
  const added = listOf(data.added)
  const removed = listOf(data.removed)
  if (added && removed) return t('tags.history.both', { added, removed })
  if (added) return t('tags.history.added', { tags: added })
  if (removed) return t('tags.history.removed', { tags: removed })
  return t('tags.history.unchanged', {})
}
