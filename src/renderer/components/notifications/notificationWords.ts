/**
 * A notification in words (« Demande GRC-2026-000123 vous a été attribuée par Luc Henrion »),
 * from the kind and the parameters the core keeps; the same words in the bell's panel and in
 * the tests.
 */
import { useI18n } from 'vue-i18n'
import type { AgentNotification } from '../../../shared/channels/notifications'

export function useNotificationWords() {
  const { t } = useI18n()

  /** Business time left: « 1 h 30 », « 2 h », « 45 min ». */
  function duration(minutes: number): string {
    const h = Math.floor(minutes / 60)
    const m = minutes % 60
    if (h === 0) return t('notifications.duration.minutes', { m })
    if (m === 0) return t('notifications.duration.hours', { h })
    return t('notifications.duration.hoursMinutes', { h, m: String(m).padStart(2, '0') })
  }

  function sentence(n: AgentNotification): string {
    const reference = n.reference
    switch (n.kind) {
      case 'assigned':
        return n.actorName
          ? t('notifications.words.assigned', { reference, actor: n.actorName })
          : t('notifications.words.assignedBySomeone', { reference })
      case 'mention':
        return n.actorName
          ? t('notifications.words.mention', { reference, actor: n.actorName })
          : t('notifications.words.mentionBySomeone', { reference })
      case 'conflict':
        return t(`notifications.words.${n.conflictKind === 'rejected' ? 'rejected' : 'conflict'}`, {
          reference,
        })
      case 'sla_soon':
        return t('notifications.words.sla_soon', { reference, left: duration(n.minutesLeft ?? 0) })
    }
  }

  return { sentence, duration }
}
