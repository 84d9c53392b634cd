/**
 * The OpenLayers source for a configured base map: XYZ tiles from a URL template, or a WMTS
 * service asked with KVP GetTile on a Web Mercator matrix set. The WMTS tile grid is built
 * here from the known resolutions (no GetCapabilities fetch: one request fewer, and nothing
 * to wait for or to fail offline). A tile that cannot load stays empty; the outline and the
 * points above it still draw.
 */
import { getWidth, getTopLeft } from 'ol/extent'
import { get as getProjection } from 'ol/proj'
import WMTS from 'ol/source/WMTS'
import XYZ from 'ol/source/XYZ'
import WMTSTileGrid from 'ol/tilegrid/WMTS'
import type { BaseMapSource } from '../../../shared/mapSettings'

const TILE_SIZE = 256

/**
 * The Web Mercator matrix set (IGN's `PM`, OGC's WebMercatorQuad): level n has 2^n × 2^n
 * tiles of 256 pixels over the whole EPSG:3857 square, top-left origin, matrices named
 * `${prefix}${n}`.
 */
export function webMercatorTileGrid(maxZoom: number, matrixIdPrefix = ''): WMTSTileGrid {
  const extent = getProjection('EPSG:3857')!.getExtent()
  const level0 = getWidth(extent) / TILE_SIZE
  const levels = Array.from({ length: maxZoom + 1 }, (_, z) => z)
  return new WMTSTileGrid({
    extent,
    origin: getTopLeft(extent),
    tileSize: TILE_SIZE,
    resolutions: levels.map((z) => level0 / 2 ** z),
    matrixIds: levels.map((z) => `${matrixIdPrefix}${z}`),
  })
}

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  )

/**
 * The credit as OpenLayers shows it (it inserts attributions as HTML): the configured text
 * escaped, as a link to its licence page when there is one (opened in the system browser).
 */
export function attributionHtml(source: Pick<BaseMapSource, 'attribution' | 'attributionUrl'>): string {
  const text = escapeHtml(source.attribution)
  if (!source.attributionUrl) return text
  return `<a href="${escapeHtml(source.attributionUrl)}" target="_blank" rel="noopener noreferrer">${text}</a>`
}

/** A new OpenLayers source for `source`. */
export function tileSourceFor(source: BaseMapSource): XYZ | WMTS {
  const common = {
    attributions: attributionHtml(source),
    // No cookies to the tile server; and the canvas stays readable should the map be exported.
    crossOrigin: 'anonymous',
    // Always shown: the tiles' licence asks for the credit.
    attributionsCollapsible: false,
  } as const
  if (source.kind === 'xyz') return new XYZ({ ...common, url: source.url, maxZoom: source.maxZoom })
  return new WMTS({
    ...common,
    url: source.url,
    requestEncoding: 'KVP',
    layer: source.layer,
    matrixSet: source.matrixSet,
    format: source.format,
    style: source.style,
    projection: 'EPSG:3857',
    tileGrid: webMercatorTileGrid(source.maxZoom, source.matrixIdPrefix),
    wrapX: true,
  })
}
