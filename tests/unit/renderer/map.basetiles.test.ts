/**
 * The base map layer: the IGN preset asks the Géoplateforme for the same tiles OpenStreetMap's
 * z/x/y would name (the PM matrix set is Web Mercator), with no GetCapabilities; the credit is
 * shown as text, linked to its licence; and another source replaces the old one in place.
 */
import { mount } from '@vue/test-utils'
import OlMap from 'ol/Map'
import TileLayer from 'ol/layer/Tile'
import { fromLonLat, get as getProjection } from 'ol/proj'
import type TileImage from 'ol/source/TileImage'
import WMTS from 'ol/source/WMTS'
import XYZ from 'ol/source/XYZ'
import { describe, expect, it } from 'vitest'
import { defineComponent, h } from 'vue'
import BaseTilesLayer from '../../../src/renderer/components/map/BaseTilesLayer.vue'
import { attributionHtml, tileSourceFor } from '../../../src/renderer/components/map/baseTileSource'
import { OL_MAP } from '../../../src/renderer/composables/useOlMap'
import { BASE_MAP_PRESETS, type BaseMapSource } from '../../../src/shared/mapSettings'

const IGN: BaseMapSource = { ...BASE_MAP_PRESETS['ign-plan-v2'] }
const OSM: BaseMapSource = { ...BASE_MAP_PRESETS.osm }
const DEPOT = { lon: 6.1844, lat: 48.6921 }

/** The tile URL a source asks for the tile holding `lonLat` at zoom `z`. */
function tileUrlAt(source: TileImage, { lon, lat }: { lon: number; lat: number }, z: number): URL {
  const coord = source.getTileGrid()!.getTileCoordForCoordAndZ(fromLonLat([lon, lat]), z)
  return new URL(source.getTileUrlFunction()(coord, 1, getProjection('EPSG:3857')!)!)
}
/** A KVP parameter, whatever its case (OpenLayers writes `TileMatrix`, IGN documents `TILEMATRIX`). */
const param = (url: URL, name: string) =>
  [...url.searchParams].find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1]

/** The slippy-map tile indices (OpenStreetMap's z/x/y), computed independently of OpenLayers. */
function slippyTile({ lon, lat }: { lon: number; lat: number }, z: number) {
  const n = 2 ** z
  const rad = (lat * Math.PI) / 180
  return {
    x: Math.floor(((lon + 180) / 360) * n),
    y: Math.floor(((1 - Math.asinh(Math.tan(rad)) / Math.PI) / 2) * n),
  }
}

describe('the WMTS source of the IGN preset', () => {
  it('asks GetTile for Plan IGN v2 on the PM matrix set, at the tile OpenStreetMap would name', () => {
    const source = tileSourceFor(IGN)
    expect(source).toBeInstanceOf(WMTS)
    for (const z of [6, 12, 17, 19]) {
      const url = tileUrlAt(source, DEPOT, z)
      expect(url.origin + url.pathname).toBe('https://data.geopf.fr/wmts')
      expect(param(url, 'service')).toBe('WMTS')
      expect(param(url, 'request')).toBe('GetTile')
      expect(param(url, 'layer')).toBe('GEOGRAPHICALGRIDSYSTEMS.PLANIGNV2')
      expect(param(url, 'tilematrixset')).toBe('PM')
      expect(param(url, 'style')).toBe('normal')
      expect(param(url, 'format')).toBe('image/png')
      const { x, y } = slippyTile(DEPOT, z)
      expect([param(url, 'tilematrix'), param(url, 'tilecol'), param(url, 'tilerow')]).toEqual([
        String(z),
        String(x),
        String(y),
      ])
    }
  })

  it('names the matrices with the configured prefix (GeoWebCache’s EPSG:900913:n)', () => {
    const source = tileSourceFor({
      ...IGN,
      url: 'https://sig.ville.fr/geoserver/gwc/service/wmts',
      matrixSet: 'EPSG:900913',
      matrixIdPrefix: 'EPSG:900913:',
    })
    expect(param(tileUrlAt(source, DEPOT, 14), 'tilematrix')).toBe('EPSG:900913:14')
  })

  it('asks nothing beyond the source’s last level (the map enlarges that level instead)', () => {
    const source = tileSourceFor({ ...IGN, maxZoom: 16 })
    expect(source.getTileGrid()!.getMaxZoom()).toBe(16)
  })
})

describe('the XYZ source', () => {
  it('asks OpenStreetMap for z/x/y', () => {
    const source = tileSourceFor(OSM)
    expect(source).toBeInstanceOf(XYZ)
    const { x, y } = slippyTile(DEPOT, 15)
    expect(tileUrlAt(source, DEPOT, 15).href).toBe(`https://tile.openstreetmap.org/15/${x}/${y}.png`)
  })
})

describe('the credit', () => {
  it('links to the licence page, opened outside the app', () => {
    expect(attributionHtml(OSM)).toBe(
      '<a href="https://www.openstreetmap.org/copyright" target="_blank" rel="noopener noreferrer">' +
        '© les contributeurs d’OpenStreetMap</a>',
    )
  })

  it('shows configured text as text, never as markup', () => {
    const html = attributionHtml({ attribution: '<img src=x onerror="alert(1)"> & Co' })
    const holder = document.createElement('div')
    holder.innerHTML = html
    expect(holder.querySelector('img')).toBeNull()
    expect(holder.textContent).toBe('<img src=x onerror="alert(1)"> & Co')
  })
})

describe('BaseTilesLayer', () => {
  function mountLayer(source: BaseMapSource) {
    const map = new OlMap({})
    const Host = defineComponent({
      props: { source: { type: Object, required: true } },
      setup: (props) => () => h(BaseTilesLayer, { source: props.source as BaseMapSource }),
    })
    const wrapper = mount(Host, { props: { source }, global: { provide: { [OL_MAP as symbol]: map } } })
    const tileLayers = () => map.getAllLayers().filter((l) => l instanceof TileLayer)
    return { wrapper, tileLayers }
  }

  it('draws the configured source under the other layers, credit included', () => {
    const { tileLayers, wrapper } = mountLayer(IGN)
    expect(tileLayers()).toHaveLength(1)
    const layer = tileLayers()[0]!
    expect(layer.getZIndex()).toBe(0)
    expect(layer.getSource()).toBeInstanceOf(WMTS)
    const credit = layer.getSource()!.getAttributions()!({} as never)
    expect(credit).toEqual([attributionHtml(IGN)])
    wrapper.unmount()
    expect(tileLayers()).toHaveLength(0)
  })

  it('swaps the source in place when the configuration names another, not when it repeats itself', async () => {
    const { tileLayers, wrapper } = mountLayer(IGN)
    const layer = tileLayers()[0]!
    const ignSource = layer.getSource()

    await wrapper.setProps({ source: { ...IGN } })
    expect(layer.getSource()).toBe(ignSource)

    await wrapper.setProps({ source: OSM })
    expect(tileLayers()).toEqual([layer])
    expect(layer.getSource()).toBeInstanceOf(XYZ)
    expect(layer.getSource()!.getAttributions()!({} as never)).toEqual([attributionHtml(OSM)])
    wrapper.unmount()
  })
})
