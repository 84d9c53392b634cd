/**
 * Duplicate links on the map (issue 14: « the map shows duplicate clusters »): for the box
 * the map shows, each master the session sees with the duplicates linked to it
 * (`fields.duplicateOf` = the master's reference), so the screen can draw a line from each
 * duplicate to its master and a ring counting them on the master.
 */
import { z } from 'zod'
import { Id, StatusKind } from '../domain'
import { spec } from '../channelSpec'

/** Groups answered at most: beyond, the map says the links are capped (zoom in to see them all). */
export const DUPLICATE_GROUPS_LIMIT = 2000

/** The same box as `map.points` takes (degrees, WGS 84). */
export const MapBox = z
  .object({
    minLat: z.number().min(-90).max(90),
    minLon: z.number().min(-180).max(180),
    maxLat: z.number().min(-90).max(90),
    maxLon: z.number().min(-180).max(180),
  })
  .strict()

export const DuplicateLinkMaster = z.object({
  id: Id,
  reference: z.string(),
  lat: z.number(),
  lon: z.number(),
  statusKind: StatusKind,
})

/** A duplicate linked to the master; without a place it is counted on the ring but has no line. */
export const DuplicateLinkMember = z.object({
  id: Id,
  reference: z.string(),
  lat: z.number().nullable(),
  lon: z.number().nullable(),
})

export const DuplicateLinkGroup = z.object({
  master: DuplicateLinkMaster,
  duplicates: z.array(DuplicateLinkMember).min(1),
})
export type DuplicateLinkGroup = z.infer<typeof DuplicateLinkGroup>

export const DuplicateLinks = z.object({
  groups: z.array(DuplicateLinkGroup),
  /** More groups touch the box than were answered. */
  capped: z.boolean(),
})
export type DuplicateLinks = z.infer<typeof DuplicateLinks>

export const mapDuplicateChannels = {
  /**
   * The duplicate groups the session sees that touch the box: a group is answered when its
   * master or any of its duplicates lies in the box (the line crosses the view).
   */
  'map.duplicateLinks': spec(
    z
      .object({
        bbox: MapBox,
        limit: z.number().int().min(1).max(DUPLICATE_GROUPS_LIMIT).default(DUPLICATE_GROUPS_LIMIT),
      })
      .strict(),
    DuplicateLinks,
  ),
}
