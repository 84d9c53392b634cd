/**
 * Reference administration: the authority's teams, categories, routing rules and sectors as
 * an administrator edits them on the central server (versioned and audited there, fed to
 * every console through the change feed). Two sets of schemas: what the server's admin
 * routes answer (validated by the console's transport), and what the console's contract
 * carries between the renderer and the core.
 */
import { z } from 'zod'
import { Category, Id, IsoDateTime, LocalizedText, Team } from './domain'
import { RoutingRule, Sector, type SectorGeometry } from './routing'
import { WorkflowDocument } from './sync'

/** What an administrator edits here; workflows are listed (to pick a category's), not edited. */
export const ADMIN_KINDS = ['team', 'category', 'routing_rule', 'sector'] as const
export const AdminKind = z.enum(ADMIN_KINDS)
export type AdminKind = z.infer<typeof AdminKind>

/** The version an item has on the server: an edit names the one it was made on. */
const ItemVersion = z.number().int().nonnegative()

export const ADMIN_LIMITS = {
  code: 64,
  name: 200,
  subcategory: 100,
  subcategories: 100,
  /** Business hours: a year of 8-hour days is far beyond any SLA. */
  slaHours: 5000,
  auditEntries: 500,
} as const

const Required = (max: number) => z.string().trim().min(1, 'required').max(max)

/** A team as an administrator saves it: code and name filled in. */
export const AdminTeam = Team.extend({
  code: Required(ADMIN_LIMITS.code),
  name: Required(ADMIN_LIMITS.name),
}).strict()

/** A category as an administrator saves it: names in both languages, a positive SLA, distinct sub-categories. */
export const AdminCategory = Category.extend({
  code: Required(ADMIN_LIMITS.code),
  name: z.object({ fr: Required(ADMIN_LIMITS.name), en: Required(ADMIN_LIMITS.name) }).strict(),
  slaBusinessHours: z.number().int().positive().max(ADMIN_LIMITS.slaHours),
  subcategories: z
    .array(Required(ADMIN_LIMITS.subcategory))
    .max(ADMIN_LIMITS.subcategories)
    .refine((subs) => new Set(subs).size === subs.length, 'sub-categories are distinct'),
}).strict()

export const AdminRoutingRule = RoutingRule.extend({
  name: Required(ADMIN_LIMITS.name),
  position: z.number().int().min(0).max(1_000_000),
  subcategory: Required(ADMIN_LIMITS.subcategory).nullable(),
}).strict()

/** A sector keeps its outline: only its name and commune code are edited here. */
export const AdminSector = Sector.extend({
  name: Required(ADMIN_LIMITS.name),
  /** INSEE code: five characters, 2A/2B for Corsica. */
  communeCode: z
    .string()
    .regex(/^(\d{5}|2[AB]\d{3})$/, 'an INSEE commune code has five characters')
    .nullable(),
}).strict()

/** One editable item as the server holds it, with its version. */
export const AdminItem = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('team'), id: Id, version: ItemVersion, data: Team }),
  z.object({ kind: z.literal('category'), id: Id, version: ItemVersion, data: Category }),
  z.object({ kind: z.literal('routing_rule'), id: Id, version: ItemVersion, data: RoutingRule }),
  z.object({ kind: z.literal('sector'), id: Id, version: ItemVersion, data: Sector }),
])
export type AdminItem = z.infer<typeof AdminItem>
export type AdminItemOf<K extends AdminKind> = Extract<AdminItem, { kind: K }>

/** A workflow as the screen lists it: enough to choose one for a category. */
export const AdminWorkflow = z.object({ id: Id, version: z.number().int(), name: LocalizedText.nullable() })
export type AdminWorkflow = z.infer<typeof AdminWorkflow>

export const AdminReference = z.object({ items: z.array(AdminItem), workflows: z.array(AdminWorkflow) })
export type AdminReference = z.infer<typeof AdminReference>

/** Save one item: `baseVersion` null creates it (its id is `data.id`). */
export const AdminSaveInput = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('team'), data: AdminTeam, baseVersion: ItemVersion.nullable() }).strict(),
  z
    .object({ kind: z.literal('category'), data: AdminCategory, baseVersion: ItemVersion.nullable() })
    .strict(),
  z
    .object({ kind: z.literal('routing_rule'), data: AdminRoutingRule, baseVersion: ItemVersion.nullable() })
    .strict(),
  z.object({ kind: z.literal('sector'), data: AdminSector, baseVersion: ItemVersion.nullable() }).strict(),
])
export type AdminSaveInput = z.input<typeof AdminSaveInput>
export type AdminSave = z.output<typeof AdminSaveInput>

export const AdminDeleteInput = z.object({ kind: AdminKind, id: Id, baseVersion: ItemVersion }).strict()

export const AdminAuditInput = z
  .object({
    kind: AdminKind.optional(),
    id: Id.optional(),
    limit: z.number().int().min(1).max(ADMIN_LIMITS.auditEntries).default(50),
  })
  .strict()

/** A sector's outline in an audit entry: counted, not drawn. */
export const OutlineSummary = z.object({
  outline: z.object({ polygons: z.number().int(), vertices: z.number().int() }),
})
/** One value of an audited field, ready to be put into words (ids are named by the screen). */
export const AuditValue = z.union([
  z.string(),
  z.number(),
  z.boolean(),
  z.null(),
  z.array(z.string()),
  LocalizedText,
  OutlineSummary,
])
export type AuditValue = z.infer<typeof AuditValue>

export const AuditChange = z.object({ field: z.string().max(64), before: AuditValue, after: AuditValue })
export type AuditChange = z.infer<typeof AuditChange>

export const AdminAuditEntry = z.object({
  id: z.number().int(),
  kind: z.string(),
  itemId: Id,
  version: z.number().int(),
  action: z.enum(['create', 'update', 'delete']),
  actorName: z.string().nullable(),
  at: IsoDateTime,
  /** The item's name at that time (its name after the change, or before a deletion). */
  name: z.union([z.string(), LocalizedText]).nullable(),
  /** The fields the change touched: every field of a creation, none of a deletion. */
  changes: z.array(AuditChange),
})
export type AdminAuditEntry = z.infer<typeof AdminAuditEntry>

/** A sector's outline in figures: parts, vertices (a ring's closing position not counted twice), area. */
export interface OutlineFigures {
  polygons: number
  vertices: number
  /** Approximate (a local flat projection per ring): enough to tell a district from a commune. */
  areaKm2: number
}

const KM_PER_DEGREE_LAT = 110.574
const KM_PER_DEGREE_LON_AT_EQUATOR = 111.32

function ringAreaKm2(ring: readonly (readonly number[])[]): number {
  if (ring.length < 3) return 0
  const lat0 = (ring.reduce((sum, p) => sum + (p[1] ?? 0), 0) / ring.length) * (Math.PI / 180)
  const kx = KM_PER_DEGREE_LON_AT_EQUATOR * Math.cos(lat0)
  let twice = 0
  for (let i = 0; i < ring.length; i++) {
    const a = ring[i]!
    const b = ring[(i + 1) % ring.length]!
    twice += a[0]! * kx * (b[1]! * KM_PER_DEGREE_LAT) - b[0]! * kx * (a[1]! * KM_PER_DEGREE_LAT)
  }
  return Math.abs(twice) / 2
}

export function outlineSummary(geometry: SectorGeometry): OutlineFigures {
  const polygons = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates
  let vertices = 0
  let areaKm2 = 0
  for (const rings of polygons)
    rings.forEach((ring, i) => {
      const closed = ring.length > 1 && ring[0]![0] === ring.at(-1)![0] && ring[0]![1] === ring.at(-1)![1]
      vertices += closed ? ring.length - 1 : ring.length
      // The first ring is the outline, the others are holes.
      areaKm2 += (i === 0 ? 1 : -1) * ringAreaKm2(ring)
    })
  return { polygons: polygons.length, vertices, areaKm2: Math.max(0, areaKm2) }
}

// --- the server's admin routes, as the console reads them --------------------------------

const WireItem = z.discriminatedUnion('kind', [
  ...AdminItem.options,
  z.object({ kind: z.literal('workflow'), id: Id, version: ItemVersion, data: WorkflowDocument }),
])
export type AdminWireItem = z.infer<typeof WireItem>

const KNOWN_KINDS = new Set<unknown>([...ADMIN_KINDS, 'workflow'])

/**
 * `GET /api/v1/admin/reference`. Items of a kind this console does not know (a newer
 * server's) are passed over rather than refusing the whole list.
 */
export const AdminListReply = z.preprocess(
  (raw) => {
    if (typeof raw !== 'object' || raw === null || !Array.isArray((raw as { items?: unknown }).items))
      return raw
    const items = (raw as { items: unknown[] }).items.filter(
      (i) => typeof i === 'object' && i !== null && KNOWN_KINDS.has((i as { kind?: unknown }).kind),
    )
    return { ...raw, items }
  },
  z.object({ items: z.array(WireItem) }),
)

/** `PUT /api/v1/admin/reference/{kind}/{id}`. */
export const AdminSaveReply = z.object({ item: AdminItem })

/** `GET /api/v1/admin/reference/audit`: newest first; `at` in epoch milliseconds. */
export const AdminAuditReply = z.object({
  entries: z
    .array(
      z.object({
        id: z.number().int(),
        kind: z.string().max(64),
        itemId: Id,
        version: z.number().int(),
        action: z.enum(['create', 'update', 'delete']),
        before: z.unknown().nullable(),
        after: z.unknown().nullable(),
        actorName: z.string().max(200).nullable(),
        at: z.number().int().nonnegative(),
      }),
    )
    .max(ADMIN_LIMITS.auditEntries),
})
export type AdminAuditReply = z.infer<typeof AdminAuditReply>
