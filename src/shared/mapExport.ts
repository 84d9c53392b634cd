/**
 * A selection or a tour exported for GIS tools: GeoJSON (RFC 7946, WGS84 `[lon, lat]`)
 * and CSV (RFC 4180: comma-separated, every text quoted). Citizen text is data:
 * a cell that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, CR) is
 * prefixed with `'`.
 */
export interface ExportedRequest {
  id: string
  reference: string
  title: string
  category: string
  status: string
  priority: string
  address: string | null
  description: string
  lat: number | null
  lon: number | null
  /** Place in the tour (1, 2…), when exporting a tour. */
  stop?: number
}

export function toGeoJSON(items: readonly ExportedRequest[]): string {
  return JSON.stringify({
    type: 'FeatureCollection',
    features: items
      .filter((i) => i.lat !== null && i.lon !== null)
      .map(({ lat, lon, ...properties }) => ({
        type: 'Feature',
        geometry: { type: 'Point', coordinates: [lon, lat] },
        properties,
      })),
  })
}

const COLUMNS: Array<keyof ExportedRequest> = [
  'stop',
  'reference',
  'title',
  'category',
  'status',
  'priority',
  'address',
  'lat',
  'lon',
  'description',
  'id',
]

function cell(value: unknown): string {
  if (value === null || value === undefined) return ''
  if (typeof value === 'number') return String(value)
  let text = String(value)
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`
  return `"${text.replace(/"/g, '""')}"`
}

export function toCSV(items: readonly ExportedRequest[]): string {
  const columns = items.some((i) => i.stop !== undefined) ? COLUMNS : COLUMNS.filter((c) => c !== 'stop')
  const lines = [columns.join(','), ...items.map((i) => columns.map((c) => cell(i[c])).join(','))]
  return `${lines.join('\r\n')}\r\n`
}
