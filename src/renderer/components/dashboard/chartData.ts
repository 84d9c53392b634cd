/**
 * The dashboard's charts as data: for each, its title, a one-sentence summary, the table a
 * screen reader (or a spreadsheet) gets instead of the picture, and the ECharts option drawn
 * from the same rows. Pure, so what the chart shows, what the table says and what the CSV
 * holds cannot disagree, and they are tested without a canvas.
 */
import { CSV_BOM, csvLine } from '../../../shared/csv'
import type { DashboardFigures } from '../../../shared/channels/dashboard'

/** One cell of a chart's table: numbers stay numbers (formatted on screen, raw in the CSV). */
export type Cell = string | number

export interface ChartTable {
  columns: string[]
  rows: Cell[][]
}

export type ChartId =
  'weekly' | 'backlogStatus' | 'backlogCategory' | 'sla' | 'resolution' | 'places' | 'throughput'

export interface DashboardChart {
  id: ChartId
  title: string
  summary: string
  table: ChartTable
  /** An ECharts option (bar or pie), or null when there is nothing to draw. */
  option: Record<string, unknown> | null
}

export interface ChartWords {
  t: (key: string, values?: Record<string, unknown>) => string
  statusLabel: (id: string) => string
  categoryName: (id: string) => string
  /** The language's number format (French: « 1 234,5 »). */
  number: (n: number) => string
  /** A `YYYY-MM-DD` day in the language's date format (« 2 mars 2026 »). */
  day: (iso: string) => string
}

const sum = (ns: readonly number[]) => ns.reduce((a, b) => a + b, 0)

/** A share in whole percent, or null when there is nothing to divide. */
export const percent = (part: number, whole: number): number | null =>
  whole > 0 ? Math.round((part / whole) * 100) : null

/** Colours with enough contrast on white, told apart by their labels and table too (not by colour alone). */
const COLOURS = ['#000091', '#b34000', '#18753c', '#6a6af4', '#a94645']

const baseOption = (summary: string) => ({
  animation: false,
  color: COLOURS,
  aria: { enabled: true, label: { description: summary } },
  // Drawn on the canvas: an HTML tooltip would need inline styles, which the CSP refuses.
  tooltip: { trigger: 'axis', renderMode: 'richText' },
  grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
})

function barOption(
  summary: string,
  labels: string[],
  series: { name: string; data: number[] }[],
  horizontal = false,
) {
  const category = {
    type: 'category',
    data: labels,
    // Every label when they fit; the ones that would overlap are left out, never drawn on each other.
    axisLabel: { interval: 0, width: 160, overflow: 'truncate', hideOverlap: true },
  }
  const value = { type: 'value', minInterval: 1 }
  return {
    ...baseOption(summary),
    legend: series.length > 1 ? { top: 0 } : undefined,
    xAxis: horizontal ? value : category,
    yAxis: horizontal ? { ...category, inverse: true } : value,
    series: series.map((s) => ({ type: 'bar', name: s.name, data: s.data })),
  }
}

/** Hours as the reader counts them: « 5 h » under two days, « 3,5 j » (calendar days) beyond. */
export function durationText(hours: number | null, w: ChartWords): string {
  if (hours === null) return w.t('dashboard.none')
  if (hours < 48) return w.t('dashboard.hours', { n: w.number(hours) })
  return w.t('dashboard.days', { n: w.number(Math.round((hours / 24) * 10) / 10) })
}

function weekly(f: DashboardFigures, w: ChartWords): DashboardChart {
  const incoming = sum(f.weeks.map((x) => x.incoming))
  const closed = sum(f.weeks.map((x) => x.closed))
  const busiest = f.weeks.reduce<DashboardFigures['weeks'][number] | null>(
    (best, x) => (best === null || x.incoming > best.incoming ? x : best),
    null,
  )
  const summary =
    busiest && incoming > 0
      ? w.t('dashboard.weekly.summary', {
          incoming: w.number(incoming),
          closed: w.number(closed),
          week: w.day(busiest.weekStart),
          busiest: w.number(busiest.incoming),
        })
      : w.t('dashboard.weekly.empty')
  // « 14/09 »: twelve weeks' full dates do not fit under their bars (the table has them whole).
  const labels = f.weeks.map((x) => `${x.weekStart.slice(8, 10)}/${x.weekStart.slice(5, 7)}`)
  return {
    id: 'weekly',
    title: w.t('dashboard.weekly.title'),
    summary,
    table: {
      columns: [
        w.t('dashboard.weekly.week'),
        w.t('dashboard.weekly.incoming'),
        w.t('dashboard.weekly.closed'),
      ],
      rows: f.weeks.map((x) => [x.weekStart, x.incoming, x.closed]),
    },
    option: f.weeks.length
      ? barOption(summary, labels, [
          { name: w.t('dashboard.weekly.incoming'), data: f.weeks.map((x) => x.incoming) },
          { name: w.t('dashboard.weekly.closed'), data: f.weeks.map((x) => x.closed) },
        ])
      : null,
  }
}

function sla(f: DashboardFigures, w: ChartWords): DashboardChart {
  const { closedWithDue, closedOnTime } = f.sla
  const late = closedWithDue - closedOnTime
  const share = percent(closedOnTime, closedWithDue)
  const summary =
    share === null
      ? w.t('dashboard.sla.empty')
      : w.t('dashboard.sla.summary', { share, n: w.number(closedWithDue) })
  const onTimeLabel = w.t('dashboard.sla.onTime')
  const lateLabel = w.t('dashboard.sla.late')
  return {
    id: 'sla',
    title: w.t('dashboard.sla.title'),
    summary,
    table: {
      columns: [w.t('dashboard.sla.column'), w.t('dashboard.closedRequests')],
      rows: [
        [onTimeLabel, closedOnTime],
        [lateLabel, late],
      ],
    },
    option:
      share === null
        ? null
        : {
            ...baseOption(summary),
            tooltip: { trigger: 'item', renderMode: 'richText' },
            legend: { top: 0 },
            series: [
              {
                type: 'pie',
                name: w.t('dashboard.sla.title'),
                radius: ['40%', '70%'],
                top: 24,
                // Whole percents in the language's words (« Dans le délai : 53 % »), not « 53.15 ».
                label: {
                  formatter: (p: { name: string; percent: number }) =>
                    `${p.name} : ${w.number(Math.round(p.percent))} %`,
                },
                data: [
                  { name: onTimeLabel, value: closedOnTime },
                  { name: lateLabel, value: late },
                ],
              },
            ],
          },
  }
}

function resolution(f: DashboardFigures, w: ChartWords): DashboardChart {
  const { closed, medianHours, p90Hours } = f.resolution
  const summary =
    medianHours === null
      ? w.t('dashboard.resolution.empty')
      : w.t('dashboard.resolution.summary', {
          n: w.number(closed),
          median: durationText(medianHours, w),
          p90: durationText(p90Hours, w),
        })
  const median = w.t('dashboard.resolution.median')
  const p90 = w.t('dashboard.resolution.p90')
  return {
    id: 'resolution',
    title: w.t('dashboard.resolution.title'),
    summary,
    table: {
      columns: [w.t('dashboard.resolution.column'), w.t('dashboard.resolution.hours')],
      rows: [
        [median, medianHours ?? ''],
        [p90, p90Hours ?? ''],
      ],
    },
    option:
      medianHours === null
        ? null
        : barOption(
            summary,
            [median, p90],
            [{ name: w.t('dashboard.resolution.hours'), data: [medianHours, p90Hours ?? 0] }],
          ),
  }
}

/**
 * A ranking drawn as horizontal bars, biggest first: `total` is what the shares are of
 * (every open request, every request received or closed in the period).
 */
function ranking(
  id: 'backlogStatus' | 'backlogCategory' | 'places' | 'throughput',
  entries: { label: string; n: number }[],
  total: number,
  words: { value: string; empty: string },
  w: ChartWords,
): DashboardChart {
  const top = entries[0]
  const summary =
    top && total > 0
      ? w.t(`dashboard.${id}.summary`, {
          total: w.number(total),
          top: top.label,
          n: w.number(top.n),
          share: percent(top.n, total),
        })
      : w.t(words.empty)
  const value = w.t(words.value)
  return {
    id,
    title: w.t(`dashboard.${id}.title`),
    summary,
    table: { columns: [w.t(`dashboard.${id}.column`), value], rows: entries.map((e) => [e.label, e.n]) },
    option: entries.length
      ? barOption(
          summary,
          entries.map((e) => e.label),
          [{ name: value, data: entries.map((e) => e.n) }],
          true,
        )
      : null,
  }
}

/** Every chart of one dashboard, in the order the screen shows them. */
export function dashboardCharts(f: DashboardFigures, w: ChartWords): DashboardChart[] {
  const incomingInPeriod = sum(f.weeks.map((x) => x.incoming))
  const closedInPeriod = sum(f.throughput.map((x) => x.closed))
  const backlogTotal = sum(f.backlogByStatus.map((x) => x.n))
  const backlogWords = { value: 'dashboard.openRequests', empty: 'dashboard.backlogEmpty' }
  return [
    weekly(f, w),
    sla(f, w),
    resolution(f, w),
    ranking(
      'backlogStatus',
      f.backlogByStatus.map((b) => ({ label: w.statusLabel(b.status), n: b.n })),
      backlogTotal,
      backlogWords,
      w,
    ),
    ranking(
      'backlogCategory',
      f.backlogByCategory.map((b) => ({ label: w.categoryName(b.categoryId), n: b.n })),
      backlogTotal,
      backlogWords,
      w,
    ),
    ranking(
      'places',
      f.topPlaces.map((p) => ({ label: p.place, n: p.n })),
      incomingInPeriod,
      { value: 'dashboard.places.count', empty: 'dashboard.places.empty' },
      w,
    ),
    ranking(
      'throughput',
      f.throughput.map((p) => ({ label: p.name ?? w.t('dashboard.throughput.nobody'), n: p.closed })),
      closedInPeriod,
      { value: 'dashboard.throughput.count', empty: 'dashboard.throughput.empty' },
      w,
    ),
  ]
}

/**
 * A chart's table as CSV for French Excel: UTF-8 with a BOM, `;` between cells, CRLF, and
 * a text cell a spreadsheet would run as a formula (= + - @, tab, CR) prefixed with `'`.
 */
export function tableCsv(table: ChartTable): string {
  return CSV_BOM + [table.columns, ...table.rows].map(csvLine).join('')
}
