/**
 * The base map and depots as IT configures them: presets resolved to their sources, custom
 * XYZ / WMTS servers validated with messages that name the key, and a CSP that lets in the
 * configured tile origin and nothing broader.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadConfig, parseConfig } from '../../src/core/config'
import { mapSettingsFor, tileOriginsFor } from '../../src/main/services/mapSettings'
import { CONTENT_SECURITY_POLICY, contentSecurityPolicy } from '../../src/shared/csp'
import { MapSettings, depotFor, tileOriginsOf } from '../../src/shared/mapSettings'

const settingsOf = (map: unknown) => mapSettingsFor(parseConfig({ map }))
const errorFor = (map: unknown): string => {
  try {
    parseConfig({ map })
  } catch (e) {
    return (e as Error).message
  }
  throw new Error('the configuration was accepted')
}
/** The sources img-src allows, one per token. */
const imgSources = (csp: string) =>
  csp
    .split('; ')
    .find((d) => d.startsWith('img-src '))!
    .split(' ')
    .slice(1)

const IGN_WMTS = {
  kind: 'wmts',
  url: 'https://data.geopf.fr/wmts',
  layer: 'GEOGRAPHICALGRIDSYSTEMS.PLANIGNV2',
  matrixSet: 'PM',
  style: 'normal',
  attribution: '© IGN',
}

describe('the base map a configuration names', () => {
  it('is OpenStreetMap with its credit and licence link when nothing is configured', () => {
    const settings = mapSettingsFor(parseConfig({}))
    expect(settings.baseMap).toEqual({
      kind: 'xyz',
      url: 'https://tile.openstreetmap.org/{z}/{x}/{y}.png',
      attribution: '© les contributeurs d’OpenStreetMap',
      attributionUrl: 'https://www.openstreetmap.org/copyright',
      maxZoom: 19,
    })
    expect(settings.depot).toEqual({
      lat: 48.6921,
      lon: 6.1844,
      label: 'Centre technique municipal',
      address: '22 rue Marcel Brot, 54000 Nancy',
    })
    expect(settings.teamDepots).toEqual({})
  })

  it('resolves the IGN preset to the Géoplateforme WMTS of Plan IGN v2', () => {
    expect(settingsOf({ baseMap: 'ign-plan-v2' }).baseMap).toEqual({
      kind: 'wmts',
      url: 'https://data.geopf.fr/wmts',
      layer: 'GEOGRAPHICALGRIDSYSTEMS.PLANIGNV2',
      matrixSet: 'PM',
      matrixIdPrefix: '',
      format: 'image/png',
      style: 'normal',
      attribution: '© IGN – Plan IGN v2',
      attributionUrl: 'https://www.ign.fr/',
      maxZoom: 19,
    })
  })

  it('answers settings the map.settings output schema accepts, for each preset and a custom source', () => {
    for (const baseMap of ['osm', 'ign-plan-v2', IGN_WMTS]) {
      const settings = settingsOf({ baseMap })
      expect(MapSettings.parse(settings)).toEqual(settings)
    }
  })

  it('takes the authority’s own WMTS server, with defaults for what it leaves out', () => {
    const { baseMap } = settingsOf({
      baseMap: {
        kind: 'wmts',
        url: 'https://sig.mairie-nancy.fr/geoserver/gwc/service/wmts',
        layer: 'ville:plan',
        matrixSet: 'EPSG:900913',
        matrixIdPrefix: 'EPSG:900913:',
        attribution: 'Ville de Nancy, © IGN',
      },
    })
    expect(baseMap).toMatchObject({ format: 'image/png', style: 'default', maxZoom: 19 })
    expect(tileOriginsOf(baseMap)).toEqual(['https://sig.mairie-nancy.fr'])
  })

  it('takes an XYZ template with a subdomain range, and names each subdomain’s origin', () => {
    const { baseMap } = settingsOf({
      baseMap: {
        kind: 'xyz',
        url: 'https://{a-c}.tuiles.grandnancy.eu:8443/plan/{z}/{x}/{-y}.png?key=abc',
        attribution: 'Métropole du Grand Nancy',
        maxZoom: 18,
      },
    })
    expect(tileOriginsOf(baseMap)).toEqual([
      'https://a.tuiles.grandnancy.eu:8443',
      'https://b.tuiles.grandnancy.eu:8443',
      'https://c.tuiles.grandnancy.eu:8443',
    ])
  })

  it('lets a higher configuration layer replace the base map, and names the file holding a bad one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'grc-map-'))
    try {
      const machine = join(dir, 'machine.json')
      const user = join(dir, 'user.json')
      writeFileSync(machine, JSON.stringify({ map: { baseMap: 'ign-plan-v2' } }))
      writeFileSync(user, JSON.stringify({ map: { depot: { lat: 48.7, lon: 6.2, label: 'Atelier nord' } } }))
      const { config } = loadConfig({ machineConfigFile: machine, userConfigFile: user, env: {} })
      expect(tileOriginsFor(config)).toEqual(['https://data.geopf.fr'])
      expect(mapSettingsFor(config).depot.label).toBe('Atelier nord')

      writeFileSync(
        user,
        JSON.stringify({ map: { baseMap: { ...IGN_WMTS, url: 'http://data.geopf.fr/wmts' } } }),
      )
      expect(() => loadConfig({ machineConfigFile: machine, userConfigFile: user, env: {} })).toThrow(
        `${user}: map.baseMap.url: tiles must come over https://`,
      )
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('a base map the configuration refuses', () => {
  it.each([
    ['http://tiles.ville.fr/{z}/{x}/{y}.png', 'map.baseMap.url: tiles must come over https://'],
    ['ftp://tiles.ville.fr/{z}/{x}/{y}.png', 'map.baseMap.url: tiles must come over https://'],
    ['javascript:alert(1)//{z}/{x}/{y}', 'map.baseMap.url: tiles must come over https://'],
    ['https://*.ville.fr/{z}/{x}/{y}.png', 'map.baseMap.url: the host "*.ville.fr" must be a plain name'],
    ["https://tiles.ville.fr;'unsafe-inline'/{z}/{x}/{y}.png", 'must be a plain name'],
    ['https://agent:secret@tiles.ville.fr/{z}/{x}/{y}.png', 'no user name or password in the URL'],
    ['https://{s}.tile.ville.fr/{z}/{x}/{y}.png', 'unknown placeholder {s}'],
    ['https://tiles.ville.fr/{z}/{x}.png', 'an XYZ template needs {z}, {x} and {y} (or {-y})'],
    ['https://{c-a}.tiles.ville.fr/{z}/{x}/{y}.png', 'one subdomain range of 2 to 26, going up'],
    ['https://t{0-999}.tiles.ville.fr/{z}/{x}/{y}.png', 'one subdomain range of 2 to 26, going up'],
    ['tiles.ville.fr/{z}/{x}/{y}.png', 'map.baseMap.url: not a valid URL'],
  ])('an XYZ url %s', (url, message) => {
    expect(errorFor({ baseMap: { kind: 'xyz', url, attribution: '© Ville' } })).toContain(message)
  })

  it('accepts plain http only from this machine (a local tile server)', () => {
    const { baseMap } = settingsOf({
      baseMap: { kind: 'xyz', url: 'http://127.0.0.1:8080/{z}/{x}/{y}.png', attribution: 'Cache local' },
    })
    expect(tileOriginsOf(baseMap)).toEqual(['http://127.0.0.1:8080'])
    expect(
      errorFor({ baseMap: { kind: 'xyz', url: 'http://10.0.0.5/{z}/{x}/{y}.png', attribution: 'x' } }),
    ).toContain('http:// only from this machine')
  })

  it('a WMTS url with tile placeholders, a missing layer, a misspelt key', () => {
    expect(errorFor({ baseMap: { ...IGN_WMTS, url: 'https://data.geopf.fr/wmts/{z}/{x}/{y}' } })).toContain(
      'map.baseMap.url: a WMTS url is the service address',
    )
    const { layer: _layer, ...withoutLayer } = IGN_WMTS
    expect(errorFor({ baseMap: withoutLayer })).toContain('map.baseMap.layer')
    expect(errorFor({ baseMap: { ...IGN_WMTS, tileMatrixSet: 'PM' } })).toContain('map.baseMap.tileMatrixSet')
  })

  it('a source without its credit (the tiles’ licence asks for one)', () => {
    expect(errorFor({ baseMap: { ...IGN_WMTS, attribution: ' ' } })).toContain(
      'map.baseMap.attribution: the tiles’ credit, shown on the map',
    )
    expect(errorFor({ baseMap: { ...IGN_WMTS, attributionUrl: 'http://www.ign.fr/' } })).toContain(
      'map.baseMap.attributionUrl: an https:// link',
    )
  })

  it('an unknown preset or kind, saying what is expected', () => {
    expect(errorFor({ baseMap: 'ign' })).toContain(
      'map.baseMap: a preset ("osm" or "ign-plan-v2") or a source object with kind "xyz" or "wmts"',
    )
    expect(errorFor({ baseMap: { kind: 'tms', url: 'https://x.fr/{z}/{x}/{y}.png' } })).toContain(
      'map.baseMap.kind: "xyz" (a URL template) or "wmts" (a WMTS service)',
    )
  })
})

describe('depots', () => {
  it('gives a team its own depot, and the authority’s to the others', () => {
    const settings = settingsOf({
      depot: { lat: 48.6921, lon: 6.1844, label: 'Centre technique municipal' },
      teamDepots: { 'voirie-nord': { lat: 48.71, lon: 6.17, label: 'Atelier de Maxéville' } },
    })
    expect(depotFor(settings, 'voirie-nord').label).toBe('Atelier de Maxéville')
    expect(depotFor(settings, 'espaces-verts').label).toBe('Centre technique municipal')
    expect(depotFor(settings, null).label).toBe('Centre technique municipal')
    expect(depotFor(settings, 'constructor').label).toBe('Centre technique municipal')
  })

  it('keeps a depot’s address, and still accepts a depot written before addresses existed', () => {
    const settings = settingsOf({
      depot: { lat: 48.6921, lon: 6.1844, label: 'CTM', address: '  5 rue de la Digue, 54000 Nancy ' },
      teamDepots: { 'voirie-nord': { lat: 48.71, lon: 6.17, label: 'Atelier de Maxéville' } },
    })
    expect(settings.depot.address).toBe('5 rue de la Digue, 54000 Nancy')
    expect(depotFor(settings, 'voirie-nord')).toEqual({
      lat: 48.71,
      lon: 6.17,
      label: 'Atelier de Maxéville',
    })
    expect(errorFor({ depot: { lat: 48.69, lon: 6.18, label: 'CTM', address: '   ' } })).toContain(
      'postal address',
    )
    expect(errorFor({ depot: { lat: 48.69, lon: 6.18, label: 'CTM', address: 'x'.repeat(201) } })).toContain(
      'at most 200 characters',
    )
  })

  it('refuses a depot off the map or without a name', () => {
    expect(errorFor({ depot: { lat: 148.69, lon: 6.18, label: 'CTM' } })).toContain(
      'map.depot.lat: latitude in WGS 84 degrees, between -85 and 85',
    )
    expect(errorFor({ teamDepots: { nord: { lat: 48.7, lon: 6.2 } } })).toContain(
      'map.teamDepots.nord.label: the depot’s name as printed on route sheets',
    )
  })
})

describe('the CSP for the configured base map', () => {
  it('lets in the configured tile origin and nothing broader', () => {
    const csp = contentSecurityPolicy(tileOriginsFor(parseConfig({ map: { baseMap: 'ign-plan-v2' } })))
    expect(imgSources(csp)).toEqual(["'self'", 'data:', 'blob:', 'https://data.geopf.fr'])
    expect(csp).not.toContain('openstreetmap')
    expect(csp).not.toMatch(/(^|\s)(https?:|\*)(\s|;|$)/)
    expect(csp).toContain("script-src 'self'")
    expect(csp).toContain("connect-src 'self'")
  })

  it('is OpenStreetMap’s by default, as before', () => {
    expect(imgSources(CONTENT_SECURITY_POLICY)).toEqual([
      "'self'",
      'data:',
      'blob:',
      'https://tile.openstreetmap.org',
    ])
    expect(contentSecurityPolicy(tileOriginsFor(parseConfig({})))).toBe(CONTENT_SECURITY_POLICY)
  })

  it('refuses to write anything but an origin into the policy', () => {
    for (const bad of [
      'https:',
      '*',
      'https://*.ign.fr',
      "https://a.fr; script-src 'unsafe-eval'",
      'http://a.fr',
    ])
      expect(() => contentSecurityPolicy([bad])).toThrow('not a tile origin the CSP may name')
  })
})
