/**
 * The dashboard's charts as data: what each chart draws, its table alternative, its
 * one-sentence summary in French formats, and its CSV; and the screen built from them.
 */
import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { DashboardFigures } from '../../../src/shared/channels/dashboard'
import { ApiError } from '../../../src/renderer/apiError'
import {
  dashboardCharts,
  tableCsv,
  type ChartWords,
} from '../../../src/renderer/components/dashboard/chartData'
import { monthPeriod, presetPeriod } from '../../../src/renderer/components/dashboard/period'
import DashboardView from '../../../src/renderer/views/DashboardView.vue'
import { createAppI18n } from '../../../src/renderer/i18n'
import { answer, callsTo, resetFakeApi } from './support/fakeApi'
import { reference, sessionFor } from './support/fixtures'
import { mountWithApp } from './support/mount'

vi.mock('../../../src/renderer/api', () => import('./support/fakeApi'))
// A canvas chart cannot draw in happy-dom; the picture is checked in the browser test.
vi.mock('vue-echarts', () => ({
  default: { name: 'VChart', props: ['option'], template: '<div class="chart-stub" />' },
}))

const figures: DashboardFigures = {
  from: '2026-03-02',
  to: '2026-03-15',
  teams: [{ id: 'voirie', name: 'Voirie' }],
  teamChoices: [
    { id: 'voirie', name: 'Voirie' },
    { id: 'voirie-nord', name: 'Voirie – secteur Nord' },
  ],
  weeks: [
    { weekStart: '2026-03-02', incoming: 1234, closed: 1000 },
    { weekStart: '2026-03-09', incoming: 2000, closed: 1500 },
  ],
  backlogByStatus: [
    { status: 'new', n: 30 },
    { status: 'assigned', n: 10 },
  ],
  backlogByCategory: [{ categoryId: 'voirie', n: 40 }],
  sla: { closedWithDue: 2400, closedOnTime: 1800 },
  resolution: { closed: 2500, medianHours: 30, p90Hours: 84 },
  topPlaces: [
    { place: '=54000 Nancy', n: 7 },
    { place: '54320 Maxéville; Nord', n: 3 },
  ],
  throughput: [
    { assigneeId: 'ag-zoe', name: 'Zoé Martin', closed: 1500 },
    { assigneeId: null, name: null, closed: 1000 },
  ],
}

const i18n = createAppI18n('fr')
const fr = new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 1 })
const words: ChartWords = {
  t: (key, values) => (values ? i18n.global.t(key, values) : i18n.global.t(key)),
  statusLabel: (id) => ({ new: 'Nouvelle', assigned: 'Affectée' })[id] ?? id,
  categoryName: (id) => (id === 'voirie' ? 'Voirie' : id),
  number: (n) => fr.format(n),
  day: (iso) =>
    new Intl.DateTimeFormat('fr-FR', {
      day: 'numeric',
      month: 'long',
      year: 'numeric',
      timeZone: 'UTC',
    }).format(Date.parse(`${iso}T00:00:00Z`)),
}
const chart = (id: string) => dashboardCharts(figures, words).find((c) => c.id === id)!
/** French grouping uses a narrow no-break space: compare with plain spaces. */
const plain = (s: string) => s.replace(/[\u202f\u00a0]/g, ' ')

describe('the charts’ data', () => {
  it('draws incoming and closed per week from the same rows as its table', () => {
    const weekly = chart('weekly')
    expect(weekly.table.rows).toEqual([
      ['2026-03-02', 1234, 1000],
      ['2026-03-09', 2000, 1500],
    ])
    const series = (weekly.option as { series: { data: number[] }[] }).series
    expect(series.map((s) => s.data)).toEqual([
      [1234, 2000],
      [1000, 1500],
    ])
    expect(plain(weekly.summary)).toBe(
      'Sur la période, 3 234 demandes reçues et 2 500 clôturées ; la semaine la plus chargée commence le 9 mars 2026 (2 000 reçues).',
    )
  })

  it('gives the SLA compliance as a share of the requests closed with a deadline', () => {
    const sla = chart('sla')
    expect(sla.table.rows).toEqual([
      ['Dans le délai', 1800],
      ['En retard', 600],
    ])
    expect(plain(sla.summary)).toMatch(/^75 % des 2 400 demandes clôturées/)
  })

  it('words resolution times in hours, then in days with a French decimal comma', () => {
    expect(plain(chart('resolution').summary)).toContain(
      'la moitié l’a été en 30 h ou moins, et 90 % en 3,5 j ou moins',
    )
  })

  it('names statuses, categories and people, and « Sans attribution » for nobody', () => {
    expect(chart('backlogStatus').table.rows).toEqual([
      ['Nouvelle', 30],
      ['Affectée', 10],
    ])
    expect(chart('backlogStatus').summary).toBe(
      '40 demandes ouvertes aujourd’hui, dont 30 « Nouvelle » (75 %).',
    )
    expect(chart('throughput').table.rows).toEqual([
      ['Zoé Martin', 1500],
      ['Sans attribution', 1000],
    ])
  })

  it('says there is nothing rather than drawing an empty chart', () => {
    const empty = dashboardCharts(
      { ...figures, weeks: [], sla: { closedWithDue: 0, closedOnTime: 0 }, topPlaces: [], throughput: [] },
      words,
    )
    expect(empty.find((c) => c.id === 'sla')).toMatchObject({
      option: null,
      summary: expect.stringMatching(/^Aucune/),
    })
    expect(empty.find((c) => c.id === 'places')!.option).toBeNull()
  })

  it('exports a table as CSV French Excel opens: BOM, semicolons, CRLF, formulas defused', () => {
    const csv = tableCsv(chart('places').table)
    expect(csv.startsWith('\uFEFF')).toBe(true)
    expect(csv.slice(1).split('\r\n')).toEqual([
      'Commune;Demandes reçues',
      "'=54000 Nancy;7",
      '"54320 Maxéville; Nord";3',
      '',
    ])
  })
})

describe('periods', () => {
  it('gives the presets as calendar days', () => {
    const wednesday = new Date(2026, 2, 18, 15)
    expect(presetPeriod('month', wednesday)).toEqual({ from: '2026-03-01', to: '2026-03-18' })
    expect(presetPeriod('lastMonth', wednesday)).toEqual({ from: '2026-02-01', to: '2026-02-28' })
    expect(presetPeriod('weeks12', wednesday)).toEqual({ from: '2025-12-29', to: '2026-03-18' })
    expect(monthPeriod('2024-02')).toEqual({ from: '2024-02-01', to: '2024-02-29' })
  })
})

describe('the dashboard screen', () => {
  let wrapper: VueWrapper | null = null
  beforeEach(() => {
    resetFakeApi()
    answer('reference.get', () => reference)
  })
  afterEach(() => {
    wrapper?.unmount()
    wrapper = null
  })

  it('asks once for every figure and shows each chart with its summary and table', async () => {
    answer('dashboard.figures', () => figures)
    wrapper = mountWithApp(DashboardView, sessionFor(['lead']))
    await flushPromises()
    expect(callsTo('dashboard.figures')).toHaveLength(1)
    const sections = wrapper.findAll('section.dashboard-chart')
    expect(sections.map((s) => s.find('h2').text())).toEqual([
      'Demandes reçues et clôturées par semaine',
      'Respect des délais',
      'Délai de traitement',
      'Demandes ouvertes par statut',
      'Demandes ouvertes par catégorie',
      'Communes les plus concernées',
      'Demandes clôturées par personne',
    ])
    for (const s of sections) {
      expect(s.find('p.summary').text()).not.toBe('')
      expect(s.find('details table').exists()).toBe(true)
    }
    expect(
      sections[0]!
        .findAll('tbody tr')[0]!
        .findAll('th, td')
        .map((c) => plain(c.text())),
    ).toEqual(['2 mars 2026', '1 234', '1 000'])
  })

  it('narrows to the teams ticked and asks again', async () => {
    answer('dashboard.figures', () => figures)
    wrapper = mountWithApp(DashboardView, sessionFor(['lead']))
    await flushPromises()
    await wrapper.find('input[type="checkbox"][value="voirie-nord"]').setValue(true)
    await wrapper.find('form').trigger('submit')
    await flushPromises()
    expect(callsTo('dashboard.figures').at(-1)).toMatchObject({ teamIds: ['voirie-nord'] })
  })

  it('shows the core’s refusal in words', async () => {
    answer('dashboard.figures', () => {
      throw new ApiError(
        'forbidden',
        'Le tableau de bord est réservé aux chefs d’équipe et aux superviseurs.',
      )
    })
    wrapper = mountWithApp(DashboardView, sessionFor(['agent']))
    await flushPromises()
    expect(wrapper.find('[role="alert"]').text()).toContain('réservé aux chefs d’équipe')
    expect(wrapper.findAll('section.dashboard-chart')).toHaveLength(0)
  })
})
