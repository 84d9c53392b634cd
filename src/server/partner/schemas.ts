/**
 * The partner API's input and output, as zod schemas: the routes validate with them and
 * the OpenAPI document is generated from them. A partner sees a request's own data (what,
 * where, which team, which status) and never its citizen: no name, e-mail, phone or postal
 * address, no citizen id, no assignee. Times are ISO 8601 (UTC).
 */
import { z } from 'zod'
import { Channel, Id, LIMITS, Point, Priority, StatusKind } from '../../shared/domain'
import type { RequestRecord } from '../../shared/sync'

export const PARTNER_PREFIX = '/api/v1/partner'
export const PARTNER_PAGE = { default: 50, max: 200 } as const

const iso = (ms: number) => new Date(ms).toISOString()
const IsoUtc = z.iso.datetime()

export const PartnerRequestsQuery = z
  .object({
    after: z
      .string()
      .regex(/^\d{1,15}$/, 'after : le curseur nextCursor rendu par la page précédente')
      .optional()
      .meta({ description: 'The nextCursor of the previous page (absent: from the first request)' }),
    limit: z.coerce
      .number({ error: 'limit : un nombre entier' })
      .int('limit : un nombre entier')
      .min(1, 'limit : au moins 1')
      .max(PARTNER_PAGE.max, `limit : au plus ${PARTNER_PAGE.max}`)
      .default(PARTNER_PAGE.default)
      .meta({ description: 'Requests per page' }),
    status: StatusKind.optional().meta({ description: 'open or closed' }),
    category: Id.optional().meta({ description: 'A category id (Open311: service_code)' }),
    updatedSince: z.iso
      .datetime({ offset: true, error: 'updatedSince : une date ISO 8601 avec son fuseau (…Z ou +01:00)' })
      .optional()
      .meta({ description: 'Only requests changed at or after this time' }),
  })
  .strict()
export type PartnerRequestsQuery = z.output<typeof PartnerRequestsQuery>

export const PartnerRequest = z
  .object({
    id: Id,
    reference: z.string(),
    title: z.string(),
    categoryId: Id,
    subcategory: z.string().nullable(),
    channel: Channel,
    status: z.string(),
    statusKind: StatusKind,
    priority: Priority,
    teamId: Id,
    description: z.string(),
    address: z.string().nullable(),
    location: Point.nullable(),
    createdAt: IsoUtc,
    updatedAt: IsoUtc,
    dueAt: IsoUtc.nullable(),
    closedAt: IsoUtc.nullable(),
  })
  .strict()
export type PartnerRequest = z.infer<typeof PartnerRequest>

export const PartnerRequestPage = z.object({
  requests: z.array(PartnerRequest),
  /** Give it as `after` for the next page; null on the last page. */
  nextCursor: z.string().nullable(),
})

export const PartnerRequestCreate = z
  .object({
    categoryId: Id,
    subcategory: z.string().trim().min(1).max(100).nullable().default(null),
    /** Default: the category and the place. */
    title: z.string().trim().min(1).max(LIMITS.title).optional(),
    description: z
      .string()
      .trim()
      .min(1, 'description : le texte de la demande')
      .max(LIMITS.description, `description : au plus ${LIMITS.description} caractères`),
    address: z.string().trim().min(1).max(300).nullable().default(null),
    location: Point.nullable().default(null),
  })
  .strict()
export type PartnerRequestCreate = z.output<typeof PartnerRequestCreate>

export const PartnerNoteCreate = z
  .object({
    body: z
      .string()
      .trim()
      .min(1, 'body : le texte de la note')
      .max(LIMITS.comment, `body : au plus ${LIMITS.comment} caractères`),
  })
  .strict()

export const PartnerNote = z.object({
  id: Id,
  requestId: Id,
  kind: z.literal('internal'),
  body: z.string(),
  /** The API account's name. */
  authorName: z.string(),
  createdAt: IsoUtc,
})

/** A request as a partner sees it: listed field by field, so nothing else can slip in. */
export function partnerRequestOf(r: RequestRecord): PartnerRequest {
  return {
    id: r.id,
    reference: r.reference,
    title: r.title,
    categoryId: r.categoryId,
    subcategory: r.subcategory,
    channel: r.channel,
    status: r.status,
    statusKind: r.statusKind,
    priority: r.priority,
    teamId: r.teamId,
    description: r.description,
    address: r.address,
    location: r.lat !== null && r.lon !== null ? { lat: r.lat, lon: r.lon } : null,
    createdAt: iso(r.createdAt),
    updatedAt: iso(r.updatedAt),
    dueAt: r.dueAt === null ? null : iso(r.dueAt),
    closedAt: r.closedAt === null ? null : iso(r.closedAt),
  }
}
