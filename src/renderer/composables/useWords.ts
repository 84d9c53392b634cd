/**
 * Codes into words: statuses, categories, agents, SLA clocks, blocked reasons, history
 * events and error codes, in the agent's language. Views never show a raw code.
 */
import { useI18n } from 'vue-i18n'
import type { BlockedReason, HistoryEvent, LocalizedText, Role } from '../../shared/domain'
import { TRANSITION_FIELDS, type TransitionField } from '../../shared/workflow'
import type { ApiErrorCode } from '../api'
import { useReferenceStore } from '../stores/reference'
import type { BusinessSlaClock } from './sla'
import { tagHistoryText } from '../components/tags/tagHistory'

const formatters = new Map<string, Intl.DateTimeFormat>()
function dateFormatter(locale: string) {
  let f = formatters.get(locale)
  if (!f) {
    f = new Intl.DateTimeFormat(locale === 'en' ? 'en-GB' : 'fr-FR', {
      dateStyle: 'short',
      timeStyle: 'short',
    })
    formatters.set(locale, f)
  }
  return f
}

const isTransitionField = (name: string): name is TransitionField =>
  (TRANSITION_FIELDS as readonly string[]).includes(name)

const text = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null)

/** Word helpers bound to the current language and reference data. */
export function useWords() {
  const { t, te, locale } = useI18n()
  const reference = useReferenceStore()

  const localized = (value: LocalizedText | undefined, fallback: string) =>
    value ? (locale.value === 'en' ? value.en : value.fr) : fallback
  const statusLabel = (id: string) => localized(reference.status(id)?.label, id)
  const categoryName = (id: string) => localized(reference.category(id)?.name, id)
  const teamName = (id: string) => reference.team(id)?.name ?? id
  const agentName = (id: string | null) => (id ? (reference.agent(id)?.displayName ?? id) : t('queue.nobody'))
  const roleName = (role: Role) => t(`roles.${role}`)
  const fieldLabel = (name: string) => (isTransitionField(name) ? t(`transitions.fields.${name}`) : name)
  const dateTime = (iso: string | null) =>
    iso ? dateFormatter(locale.value).format(new Date(iso)) : t('detail.none')

  function slaText(clock: BusinessSlaClock): string {
    switch (clock.state) {
      case 'paused':
        return t('slaClock.paused')
      case 'none':
        return t('sla.none')
      case 'closed':
        return t('sla.closed')
      case 'due':
        return t(clock.unit === 'd' ? 'sla.daysLeft' : 'sla.hoursLeft', { n: clock.n })
      case 'overdue':
        return t(clock.unit === 'd' ? 'sla.overdueDays' : 'sla.overdueHours', { n: clock.n })
    }
  }

  function blockedReason(reason: BlockedReason): string {
    switch (reason.code) {
      case 'role':
        return t('transitions.reasons.role', { roles: reason.roles.map(roleName).join(', ') })
      case 'team':
        return t('transitions.reasons.team', { team: teamName(reason.teamId) })
      case 'wrong_state':
        return t('transitions.reasons.wrongState', {
          current: statusLabel(reason.current),
          from: reason.from.map(statusLabel).join(', '),
        })
      case 'missing_field':
        return t('transitions.reasons.missingField', { field: fieldLabel(reason.field) })
      case 'guard':
        return ['hasAssignee', 'hasLocation', 'hasCitizen', 'notMerged'].includes(reason.guard)
          ? t(`transitions.reasons.guards.${reason.guard}`)
          : t('transitions.reasons.guards.other', { guard: reason.guard })
    }
  }

  function historyText(event: HistoryEvent): string {
    const d = event.data
    switch (event.kind) {
      case 'created': {
        const channel = text(d.channel)
        return channel
          ? t('history.kinds.createdVia', { channel: t(`channel.${channel}`) })
          : t('history.kinds.created')
      }
      case 'routed': {
        // The core's sentence (« Orientée vers … : règle 3, … ») is French: shown as it was kept.
        const said = text(d.words)
        if (said && locale.value === 'fr') return said
        const team = text(d.teamId) ?? text(d.toTeamId)
        return team ? t('history.kinds.routed', { team: teamName(team) }) : t('history.kinds.routedPlain')
      }
      case 'transitioned': {
        const from = text(d.from)
        const to = text(d.to) ?? ''
        return from
          ? t('history.kinds.transitioned', { from: statusLabel(from), to: statusLabel(to) })
          : t('history.kinds.transitionedTo', { to: statusLabel(to) })
      }
      case 'assigned': {
        const who = text(d.assigneeId) ?? text(d.to)
        return who ? t('history.kinds.assigned', { name: agentName(who) }) : t('history.kinds.unassigned')
      }
      case 'commented':
        if (d.kind === 'internal') return t('history.kinds.commentedInternal')
        if (d.kind === 'public') return t('history.kinds.commentedPublic')
        return t('history.kinds.commented')
      case 'master_resolved':
        return t('history.kinds.master_resolved', { master: text(d.masterReference) ?? '' })
      case 'attachment_added':
      case 'attachment_removed':
        return t(`history.kinds.${event.kind}`, { name: text(d.name) ?? '' })
      case 'attachment_refused': {
        const key = `attachments.citizenPhotoRefused.${text(d.reason) ?? 'other'}`
        const reason = te(key) ? t(key) : t('attachments.citizenPhotoRefused.other')
        return t('history.kinds.attachment_refused', { reason })
      }
      case 'tagged':
        return tagHistoryText(t, d)
      default:
        return t(`history.kinds.${event.kind}`)
    }
  }

  const errorText = (code: ApiErrorCode) => t(`errors.${code}`)

  return {
    t,
    locale,
    localized,
    statusLabel,
    categoryName,
    teamName,
    agentName,
    roleName,
    fieldLabel,
    dateTime,
    slaText,
    blockedReason,
    historyText,
    errorText,
  }
}
