/**
 * The one Content-Security-Policy of the renderer, served by the Electron shell (response
 * header) and by the web bridge alike. No inline scripts, no eval, no remote code;
 * `connect-src 'self'` is what lets the web bridge's fetches through and nothing else.
 * img-src lets in the base map's tiles from the configured source's origins and nothing
 * else: never a scheme or a wildcard.
 */
import { BASE_MAP_PRESETS, tileOriginsOf } from './mapSettings'

/** An https origin with a plain host, or http on loopback: what tileOriginsOf gives for a valid source. */
const TILE_ORIGIN =
  /^(?:https:\/\/[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?|http:\/\/(?:localhost|127\.0\.0\.1))(?::\d{1,5})?$/

/** The default base map's (OpenStreetMap's) tile origins. */
export const DEFAULT_TILE_ORIGINS: readonly string[] = tileOriginsOf(BASE_MAP_PRESETS.osm)

/** The policy for a base map loading its tiles from `tileOrigins` (see tileOriginsOf). */
export function contentSecurityPolicy(tileOrigins: readonly string[]): string {
  // Checked again here: a string that is not exactly an origin would widen or break the policy.
  const bad = tileOrigins.find((o) => !TILE_ORIGIN.test(o))
  if (bad !== undefined) throw new Error(`not a tile origin the CSP may name: ${JSON.stringify(bad)}`)
  const origins = [...new Set(tileOrigins)].sort()
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    ["img-src 'self' data: blob:", ...origins].join(' '),
    "font-src 'self'",
    "connect-src 'self'",
    "worker-src 'self' blob:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ')
}

/** The policy for the default base map (OpenStreetMap). */
export const CONTENT_SECURITY_POLICY = contentSecurityPolicy(DEFAULT_TILE_ORIGINS)
