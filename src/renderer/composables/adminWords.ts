/**
 * The administration screen's words: items' names, a line that sums each one up, and the
 * audit trail's values put into words (ids named, booleans said, an outline counted).
 */
import { useI18n } from 'vue-i18n'
import type { AdminAuditEntry, AdminItem, AdminKind, AuditValue } from '../../shared/adminReference'
import { CHANNELS, type LocalizedText } from '../../shared/domain'
import type { RoutingRule } from '../../shared/routing'
import { useAdminStore } from '../stores/admin'

const KNOWN_FIELDS = [
  'code',
  'name',
  'workflowId',
  'defaultTeamId',
  'slaBusinessHours',
  'requiresLocation',
  'subcategories',
  'position',
  'categoryId',
  'subcategory',
  'channel',
  'sectorId',
  'teamId',
  'communeCode',
  'geometry',
] as const
type KnownField = (typeof KNOWN_FIELDS)[number]
const isKnownField = (f: string): f is KnownField => (KNOWN_FIELDS as readonly string[]).includes(f)

/** Routing criteria: null means "any". */
const ANY_KEYS: Partial<Record<string, string>> = {
  categoryId: 'admin.anyCategory',
  subcategory: 'admin.anySubcategory',
  channel: 'admin.anyChannel',
  sectorId: 'admin.anySector',
}

const isLocalized = (v: unknown): v is LocalizedText =>
  typeof v === 'object' && v !== null && 'fr' in v && 'en' in v

export function useAdminWords() {
  const { t, locale } = useI18n()
  const admin = useAdminStore()

  const localized = (v: LocalizedText) => (locale.value === 'en' ? v.en : v.fr)
  const itemName = (item: AdminItem): string =>
    item.kind === 'category' ? localized(item.data.name) : item.data.name
  const kindTitle = (kind: AdminKind) => t(`admin.kindTitle.${kind}`)

  const teamName = (id: string) => admin.find('team', id)?.data.name ?? id
  const categoryName = (id: string) => {
    const c = admin.find('category', id)
    return c ? localized(c.data.name) : id
  }
  const sectorName = (id: string) => admin.find('sector', id)?.data.name ?? id
  const workflowName = (id: string) => {
    const w = admin.workflows.find((x) => x.id === id)
    return w?.name ? localized(w.name) : id
  }
  const channelName = (c: string) => ((CHANNELS as readonly string[]).includes(c) ? t(`channel.${c}`) : c)

  /** What a rule matches, in words: "Voirie · Secteur Nord", or every request. */
  function ruleCriteria(rule: RoutingRule): string {
    const parts = [
      rule.categoryId && categoryName(rule.categoryId),
      rule.subcategory,
      rule.channel && channelName(rule.channel),
      rule.sectorId && sectorName(rule.sectorId),
    ].filter((p): p is string => !!p)
    return parts.length ? parts.join(' · ') : t('admin.rule.matchesAll')
  }

  /** The list's second line for an item. */
  function summary(item: AdminItem): string {
    switch (item.kind) {
      case 'team':
        return item.data.code
      case 'category':
        return `${t('admin.slaHours', { n: item.data.slaBusinessHours })} · ${teamName(item.data.defaultTeamId)}`
      case 'routing_rule':
        return `${ruleCriteria(item.data)} ${t('admin.rule.to', { team: teamName(item.data.teamId) })}`
      case 'sector':
        return item.data.communeCode ?? ''
    }
  }

  const fieldLabel = (field: string) => (isKnownField(field) ? t(`admin.fields.${field}`) : field)

  /** One audited value in words, named after its field (a team id becomes the team's name). */
  function auditValue(field: string, value: AuditValue): string {
    if (value === null) {
      const any = ANY_KEYS[field]
      return any ? t(any) : t('admin.audit.empty_value')
    }
    if (typeof value === 'boolean') return value ? t('admin.audit.yes') : t('admin.audit.no')
    if (typeof value === 'number')
      return field === 'slaBusinessHours' ? t('admin.slaHours', { n: value }) : String(value)
    if (typeof value === 'string') {
      switch (field) {
        case 'teamId':
        case 'defaultTeamId':
          return teamName(value)
        case 'categoryId':
          return categoryName(value)
        case 'sectorId':
          return sectorName(value)
        case 'workflowId':
          return workflowName(value)
        case 'channel':
          return channelName(value)
        default:
          return value
      }
    }
    if (Array.isArray(value)) return value.length ? value.join(', ') : t('admin.audit.none')
    if (isLocalized(value)) return `${value.fr} / ${value.en}`
    return t('admin.audit.outline', { n: value.outline.vertices })
  }

  const auditName = (entry: AdminAuditEntry) =>
    entry.name === null ? entry.itemId : typeof entry.name === 'string' ? entry.name : localized(entry.name)

  return {
    t,
    localized,
    itemName,
    kindTitle,
    teamName,
    categoryName,
    sectorName,
    workflowName,
    channelName,
    ruleCriteria,
    summary,
    fieldLabel,
    auditValue,
    auditName,
  }
}
