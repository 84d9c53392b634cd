/**
 * A conflict's fields and values in words. Values come from the server and from citizens:
 * they are only ever turned into strings here, and shown by text interpolation.
 */
import { useI18n } from 'vue-i18n'
import { PRIORITIES } from '../../shared/domain'
import { useWords } from './useWords'

/** Any value as plain text: null as "—", objects as JSON. */
export function plainValue(value: unknown, none: string): string {
  if (value === null || value === undefined || value === '') return none
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  try {
    return JSON.stringify(value) ?? none
  } catch {
    return none
  }
}

export function useConflictWords() {
  const { t, te } = useI18n()
  const words = useWords()
  const none = () => t('detail.none')

  function fieldName(field: string): string {
    const key = `sync.conflicts.fieldNames.${field}`
    if (te(key, 'fr')) return t(key)
    // A transition field (`reason`, or `fields.reason` as some servers name it).
    return words.fieldLabel(field.startsWith('fields.') ? field.slice('fields.'.length) : field)
  }

  /** Ids and codes become the names the agent knows; anything else is shown as it is. */
  function value(field: string, raw: unknown): string {
    if (field === 'assigneeId' && raw === null) return words.agentName(null)
    if (typeof raw === 'string' && raw !== '') {
      switch (field) {
        case 'status':
          return words.statusLabel(raw)
        case 'assigneeId':
          return words.agentName(raw)
        case 'teamId':
          return words.teamName(raw)
        case 'categoryId':
          return words.categoryName(raw)
        case 'priority':
          return (PRIORITIES as readonly string[]).includes(raw) ? t(`priority.${raw}`) : raw
      }
    }
    return plainValue(raw, none())
  }

  const opName = (op: string) => (te(`sync.conflicts.ops.${op}`, 'fr') ? t(`sync.conflicts.ops.${op}`) : op)

  return { fieldName, value, opName, dateTime: (iso: string | null) => words.dateTime(iso) }
}
