/** Exports for GIS tools: valid GeoJSON in lon/lat order, CSV that survives quotes and formulas. */
import { describe, expect, it } from 'vitest'
import { toCSV, toGeoJSON, type ExportedRequest } from '../../src/shared/mapExport'

const base: ExportedRequest = {
  id: 'r1',
  reference: 'GRC-2026-000001',
  title: 'Nid-de-poule "énorme", rue des Carmes',
  category: 'Voirie',
  status: 'Nouvelle',
  priority: 'Haute',
  address: '12 rue des Carmes, 54000 Nancy',
  description: 'Ligne 1\nLigne 2',
  lat: 48.6937,
  lon: 6.1834,
}

describe('GeoJSON export', () => {
  it('writes a FeatureCollection of points in [lon, lat] order, leaving out requests without a location', () => {
    const json = JSON.parse(toGeoJSON([base, { ...base, id: 'r2', lat: null, lon: null }]))
    expect(json.type).toBe('FeatureCollection')
    expect(json.features).toHaveLength(1)
    expect(json.features[0].geometry).toEqual({ type: 'Point', coordinates: [6.1834, 48.6937] })
    expect(json.features[0].properties).toMatchObject({ reference: 'GRC-2026-000001', title: base.title })
  })
})

describe('CSV export', () => {
  it('quotes every text, doubles inner quotes, keeps line breaks inside a cell', () => {
    const csv = toCSV([base])
    const [header, row] = csv.split('\r\n')
    expect(header).toBe('reference,title,category,status,priority,address,lat,lon,description,id')
    expect(row).toContain('"Nid-de-poule ""énorme"", rue des Carmes"')
    expect(csv).toContain('"Ligne 1\nLigne 2"')
    expect(csv.endsWith('\r\n')).toBe(true)
  })

  it('neutralises what a spreadsheet would run as a formula', () => {
    const csv = toCSV([
      { ...base, title: '=HYPERLINK("http://x","clic")', description: '@SUM(A1)', address: '-1+1' },
    ])
    expect(csv).toContain(`"'=HYPERLINK(""http://x"",""clic"")"`)
    expect(csv).toContain(`"'@SUM(A1)"`)
    expect(csv).toContain(`"'-1+1"`)
  })

  it('numbers the stops of a tour in a first column', () => {
    const csv = toCSV([
      { ...base, stop: 1 },
      { ...base, id: 'r2', stop: 2 },
    ])
    expect(csv.split('\r\n')[0]!.startsWith('stop,')).toBe(true)
    expect(csv.split('\r\n')[2]!.startsWith('2,')).toBe(true)
  })
})
