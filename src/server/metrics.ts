/**
 * Prometheus metrics in the text exposition format (version 0.0.4), kept in this process:
 * each instance is scraped on its own. Only counts and timings, never a body, a name or
 * an id: routes are their patterns (`/api/v1/requests/:id`), not the URLs asked for.
 */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

type Labels = Record<string, string>

const labelText = (labels: Labels) => {
  const entries = Object.entries(labels)
  if (entries.length === 0) return ''
  const escaped = entries.map(
    ([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`,
  )
  return `{${escaped.join(',')}}`
}

interface Histogram {
  buckets: number[]
  sum: number
  count: number
}

export function createMetrics() {
  const counters = new Map<string, Map<string, { labels: Labels; value: number }>>()
  const histograms = new Map<string, Map<string, { labels: Labels; h: Histogram }>>()
  const gauges = new Map<string, () => Array<{ labels: Labels; value: number }>>()
  const help = new Map<string, string>()

  return {
    describe(name: string, text: string) {
      help.set(name, text)
    },
    inc(name: string, labels: Labels = {}, by = 1) {
      const series = counters.get(name) ?? new Map()
      counters.set(name, series)
      const key = labelText(labels)
      const entry = series.get(key) ?? { labels, value: 0 }
      entry.value += by
      series.set(key, entry)
    },
    observe(name: string, labels: Labels, seconds: number) {
      const series = histograms.get(name) ?? new Map()
      histograms.set(name, series)
      const key = labelText(labels)
      const entry = series.get(key) ?? {
        labels,
        h: { buckets: DURATION_BUCKETS.map(() => 0), sum: 0, count: 0 },
      }
      DURATION_BUCKETS.forEach((le, i) => {
        if (seconds <= le) entry.h.buckets[i]!++
      })
      entry.h.sum += seconds
      entry.h.count++
      series.set(key, entry)
    },
    /** A value read when scraped (connections, streams). */
    gauge(name: string, read: () => Array<{ labels: Labels; value: number }>) {
      gauges.set(name, read)
    },
    /** The exposition text. */
    render(): string {
      const lines: string[] = []
      const head = (name: string, type: string) => {
        if (help.has(name)) lines.push(`# HELP ${name} ${help.get(name)}`)
        lines.push(`# TYPE ${name} ${type}`)
      }
      for (const [name, series] of counters) {
        head(name, 'counter')
        for (const { labels, value } of series.values()) lines.push(`${name}${labelText(labels)} ${value}`)
      }
      for (const [name, series] of histograms) {
        head(name, 'histogram')
        for (const { labels, h } of series.values()) {
          DURATION_BUCKETS.forEach((le, i) =>
            lines.push(`${name}_bucket${labelText({ ...labels, le: String(le) })} ${h.buckets[i]}`),
          )
          lines.push(`${name}_bucket${labelText({ ...labels, le: '+Inf' })} ${h.count}`)
          lines.push(`${name}_sum${labelText(labels)} ${h.sum}`)
          lines.push(`${name}_count${labelText(labels)} ${h.count}`)
        }
      }
      for (const [name, read] of gauges) {
        head(name, 'gauge')
        for (const { labels, value } of read()) lines.push(`${name}${labelText(labels)} ${value}`)
      }
      return `${lines.join('\n')}\n`
    },
  }
}

export type Metrics = ReturnType<typeof createMetrics>
