/**
 * What the map needs from the configuration: the base map's tile source (a preset or the
 * authority's own XYZ / WMTS server), the depot tours start from, and a depot per team.
 * Shared: the main process validates and resolves it, the renderer draws it, and the CSP
 * lets in exactly the origins the base map loads tiles from.
 */
import { z } from 'zod'

/**
 * Tiles come over https. Plain http only from this machine (a local tile cache or server):
 * Chromium treats loopback as trustworthy, while http from any other host would be
 * upgraded or blocked as mixed content on the app's secure origin, and would carry the
 * tiles in clear.
 */
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1'])
/** A plain DNS name or IPv4 address: no wildcard, no quote, nothing a CSP would read as syntax. */
const PLAIN_HOST = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*$/

/** OpenLayers' `{a-c}` / `{1-4}` pattern: one URL per letter or number of the range. */
const RANGE = /\{([a-z])-([a-z])\}|\{(\d+)-(\d+)\}/
const XYZ_PLACEHOLDERS = new Set(['{z}', '{x}', '{y}', '{-y}'])

/** The URLs an XYZ template stands for, its `{a-c}` range expanded (as OpenLayers does). */
export function expandTemplate(template: string): string[] {
  const match = RANGE.exec(template)
  if (!match) return [template]
  const [whole, fromLetter, toLetter, fromNumber, toNumber] = match
  const out: string[] = []
  if (fromLetter && toLetter) {
    for (let c = fromLetter.charCodeAt(0); c <= toLetter.charCodeAt(0); c++)
      out.push(template.replace(whole, String.fromCharCode(c)))
  } else {
    for (let n = Number(fromNumber); n <= Number(toNumber); n++) out.push(template.replace(whole, String(n)))
  }
  return out
}

const HTTPS_ONLY = 'tiles must come over https:// (http:// only from this machine: localhost or 127.0.0.1)'

/** Why this URL cannot carry tiles, or null when it can. */
function tileUrlProblem(raw: string): string | null {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return 'not a valid URL'
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return HTTPS_ONLY
  if (url.username || url.password) return 'no user name or password in the URL (use a query parameter key)'
  if (!PLAIN_HOST.test(url.hostname))
    return `the host "${url.hostname}" must be a plain name or IPv4 address (letters, digits, dots, dashes; no wildcard)`
  if (url.protocol === 'http:' && !LOOPBACK_HOSTS.has(url.hostname)) return HTTPS_ONLY
  return null
}

const CREDIT = 'the tiles’ credit, shown on the map (their licence asks for it), e.g. "© IGN"'
const Attribution = z.string(CREDIT).trim().min(1, CREDIT).max(300, 'at most 300 characters')
/** Where the credit links to (the licence page); opened in the system browser. */
const AttributionUrl = z
  .string()
  .refine(
    (u) => URL.canParse(u) && new URL(u).protocol === 'https:',
    'an https:// link, e.g. the licence page',
  )
const MaxZoom = z.number().int().min(0).max(22)
/** A WMTS layer, matrix set or style name: what capabilities documents use, nothing that needs escaping. */
const WmtsName = z
  .string()
  .regex(/^[A-Za-z0-9_.:-]{1,128}$/, 'letters, digits, dot, colon, dash, underscore (as in the capabilities)')

const XyzSource = z
  .object({
    kind: z.literal('xyz'),
    /** `https://tiles.example.fr/{z}/{x}/{y}.png`; `{-y}` for TMS rows, `{a-c}` for subdomains. */
    url: z.string().superRefine((template, ctx) => {
      const placeholders = (template.match(/\{[^}]*\}/g) ?? []).filter((p) => !RANGE.test(p))
      const unknown = placeholders.filter((p) => !XYZ_PLACEHOLDERS.has(p))
      if (unknown.length > 0) {
        ctx.addIssue({
          code: 'custom',
          message: `unknown placeholder ${unknown.join(', ')} (allowed: {z}, {x}, {y} or {-y}, and a range such as {a-c} for subdomains)`,
        })
        return
      }
      const ranges = template.match(new RegExp(RANGE.source, 'g')) ?? []
      const hosts = expandTemplate(template).length
      if (ranges.length > 1 || (ranges.length === 1 && (hosts < 2 || hosts > 26))) {
        ctx.addIssue({ code: 'custom', message: 'one subdomain range of 2 to 26, going up: {a-c} or {1-4}' })
        return
      }
      if (
        !placeholders.includes('{z}') ||
        !placeholders.includes('{x}') ||
        !placeholders.some((p) => p.endsWith('y}'))
      )
        ctx.addIssue({ code: 'custom', message: 'an XYZ template needs {z}, {x} and {y} (or {-y})' })
      const problem = expandTemplate(template)
        .map(tileUrlProblem)
        .find((p) => p !== null)
      if (problem) ctx.addIssue({ code: 'custom', message: problem })
    }),
    attribution: Attribution,
    attributionUrl: AttributionUrl.optional(),
    maxZoom: MaxZoom.default(19),
  })
  .strict()

const WmtsSource = z
  .object({
    kind: z.literal('wmts'),
    /** The service address, asked with KVP GetTile requests: `https://data.geopf.fr/wmts`. */
    url: z.string().superRefine((url, ctx) => {
      if (/[{}]/.test(url)) {
        ctx.addIssue({
          code: 'custom',
          message: 'a WMTS url is the service address without {z}/{x}/{y} (tiles are asked with GetTile)',
        })
        return
      }
      const problem = tileUrlProblem(url)
      if (problem) ctx.addIssue({ code: 'custom', message: problem })
    }),
    layer: WmtsName,
    /**
     * A Web Mercator matrix set (EPSG:3857, 256-pixel tiles, each level twice the previous,
     * matrices named 0, 1, 2…): IGN's `PM`, GeoWebCache's `EPSG:900913` with matrixIdPrefix.
     */
    matrixSet: WmtsName,
    /** Before each level's number in TILEMATRIX, e.g. `EPSG:900913:` for GeoWebCache. */
    matrixIdPrefix: z
      .string()
      .regex(/^[A-Za-z0-9_.:-]{0,64}$/, 'letters, digits, dot, colon, dash, underscore')
      .default(''),
    format: z
      .string()
      .regex(/^image\/[a-z0-9.+-]+$/, 'an image MIME type, e.g. image/png or image/jpeg')
      .default('image/png'),
    style: WmtsName.default('default'),
    attribution: Attribution,
    attributionUrl: AttributionUrl.optional(),
    maxZoom: MaxZoom.default(19),
  })
  .strict()

export const BaseMapSource = z.discriminatedUnion('kind', [XyzSource, WmtsSource], {
  error: (issue) =>
    issue.code === 'invalid_union' ? '"xyz" (a URL template) or "wmts" (a WMTS service)' : undefined,
})
export type BaseMapSource = z.output<typeof BaseMapSource>

/** The base maps a configuration can name instead of describing one. */
export const BASE_MAP_PRESETS = {
  /** OpenStreetMap's standard tiles: fine for a demo; its tile policy forbids heavy use. */
  osm: {
    kind: 'xyz',
    url: 'https://tile.openstreetmap.org/{z}/{x}/{y}.png',
    attribution: '© les contributeurs d’OpenStreetMap',
    // The link is how OSM asks re-users to make the ODbL licence clear.
    attributionUrl: 'https://www.openstreetmap.org/copyright',
    maxZoom: 19,
  },
  /** IGN's Plan IGN v2 on the Géoplateforme (Licence Ouverte Etalab 2.0, no key needed). */
  'ign-plan-v2': {
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
  },
} as const satisfies Record<string, BaseMapSource>
export type BaseMapPresetName = keyof typeof BASE_MAP_PRESETS
export const BaseMapPresetName = z.enum(Object.keys(BASE_MAP_PRESETS) as [BaseMapPresetName], {
  error: `a preset ("${Object.keys(BASE_MAP_PRESETS).join('" or "')}") or a source object with kind "xyz" or "wmts"`,
})

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

/**
 * A preset's name or a source. Checked by hand rather than with z.union, whose error would
 * only say "Invalid input" and hide which key of a custom source is wrong.
 */
export const BaseMapChoice = z
  .custom<unknown>()
  .transform((value, ctx): BaseMapPresetName | BaseMapSource => {
    const parsed = (isPlainObject(value) ? BaseMapSource : BaseMapPresetName).safeParse(value)
    if (parsed.success) return parsed.data
    for (const issue of parsed.error.issues) ctx.addIssue({ ...issue })
    return z.NEVER
  })
export type BaseMapChoice = z.output<typeof BaseMapChoice>

/** The source a choice stands for: a preset's, or the custom one itself. */
export function resolveBaseMap(choice: BaseMapChoice): BaseMapSource {
  return typeof choice === 'string' ? { ...BASE_MAP_PRESETS[choice] } : choice
}

const LATITUDE = 'latitude in WGS 84 degrees, between -85 and 85 (e.g. 48.6921)'
const LONGITUDE = 'longitude in WGS 84 degrees, between -180 and 180 (e.g. 6.1844)'
const DEPOT_LABEL = 'the depot’s name as printed on route sheets, e.g. "Centre technique municipal"'
const DEPOT_ADDRESS = 'the depot’s postal address, e.g. "22 rue Marcel Brot, 54000 Nancy"'

/** A place tours start from and end at. Degrees as a GPS or a web map gives them. */
export const Depot = z
  .object({
    lat: z.number(LATITUDE).min(-85, LATITUDE).max(85, LATITUDE),
    lon: z.number(LONGITUDE).min(-180, LONGITUDE).max(180, LONGITUDE),
    /** Printed on route sheets as the start and end of the tour. */
    label: z.string(DEPOT_LABEL).trim().min(1, DEPOT_LABEL).max(120, 'at most 120 characters'),
    /**
     * The postal address printed beside the name, so a new technician finds the depot.
     * Optional: configurations and tours saved before it existed stay valid.
     */
    address: z
      .string(DEPOT_ADDRESS)
      .trim()
      .min(1, DEPOT_ADDRESS)
      .max(200, 'at most 200 characters')
      .optional(),
  })
  .strict()
export type Depot = z.output<typeof Depot>

/** The demo's depot (Nancy); an authority sets its own in `map.depot`. */
export const DEFAULT_DEPOT: Depot = {
  lat: 48.6921,
  lon: 6.1844,
  label: 'Centre technique municipal',
  address: '22 rue Marcel Brot, 54000 Nancy',
}

/** Team ids as the directory mapping and the accounts file name them. */
export const TeamDepots = z.record(z.string().min(1).max(64), Depot)

/** What `map.settings` answers: presets resolved, so the renderer never needs the preset table. */
export const MapSettings = z
  .object({
    baseMap: BaseMapSource,
    depot: Depot,
    teamDepots: TeamDepots,
  })
  .strict()
export type MapSettings = z.output<typeof MapSettings>

/** Where a team's tours start: its own depot, else the authority's. */
export function depotFor(settings: Pick<MapSettings, 'depot' | 'teamDepots'>, teamId?: string | null): Depot {
  return teamId && Object.hasOwn(settings.teamDepots, teamId) ? settings.teamDepots[teamId]! : settings.depot
}

/**
 * The origins the base map loads tiles from, for the CSP's img-src: one per subdomain of an
 * XYZ range, the service's for WMTS. Sorted, without duplicates.
 */
export function tileOriginsOf(source: BaseMapSource): string[] {
  const urls = source.kind === 'xyz' ? expandTemplate(source.url) : [source.url]
  return [...new Set(urls.map((u) => new URL(u).origin))].sort()
}
