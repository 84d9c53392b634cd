/** A tour's figures in the agent's language: "12,4 km", "2 h 15 min", "lundi 2 mars 2026". */
import { useI18n } from 'vue-i18n'
import { useWords } from '../../composables/useWords'
import type { Depot } from '../../../shared/mapSettings'
import type { ExportWords } from '../../stores/map'

const intlLocale = (locale: string) => (locale === 'en' ? 'en-GB' : 'fr-FR')

export function useTourWords() {
  const { t, locale } = useI18n()
  const words = useWords()

  const distance = (km: number) =>
    t('map.tour.km', {
      km: new Intl.NumberFormat(intlLocale(locale.value), {
        minimumFractionDigits: 1,
        maximumFractionDigits: 1,
      }).format(km),
    })

  function duration(minutes: number) {
    const h = Math.floor(minutes / 60)
    const m = minutes % 60
    return h > 0 ? t('map.tour.hoursMinutes', { h, m }) : t('map.tour.minutes', { m })
  }

  /** `YYYY-MM-DD` from a date input, read as a local calendar day. */
  function day(iso: string) {
    const [y, m, d] = iso.split('-').map(Number)
    if (!y || !m || !d) return t('map.tour.noDate')
    return new Intl.DateTimeFormat(intlLocale(locale.value), { dateStyle: 'full' }).format(
      new Date(y, m - 1, d),
    )
  }

  /** The depot as a technician needs it: its name, and its address when the configuration gives one. */
  function depotName(depot: Depot) {
    const label = depot.label || t('map.tour.depot')
    return depot.address ? t('map.tour.depotAddress', { label, address: depot.address }) : label
  }

  const exportWords: ExportWords = {
    category: words.categoryName,
    status: words.statusLabel,
    priority: (p) => t(`priority.${p}`),
  }

  return { distance, duration, day, depotName, exportWords }
}
