/**
 * The map's settings as the configuration gives them, presets resolved: what the renderer
 * draws (`map.settings`) and what the CSP must let in (the base map's tile origins).
 */
import { resolveBaseMap, tileOriginsOf, type MapSettings } from '../../shared/mapSettings'
import type { AppConfig } from '../../core/config'

export function mapSettingsFor(config: AppConfig): MapSettings {
  const { baseMap, depot, teamDepots } = config.map
  return { baseMap: resolveBaseMap(baseMap), depot, teamDepots }
}

/** The origins the configured base map loads tiles from, for the CSP's img-src. */
export function tileOriginsFor(config: AppConfig): string[] {
  return tileOriginsOf(resolveBaseMap(config.map.baseMap))
}
