/**
 * Photos and documents of a request on the console (issue 14; the shared model is
 * src/shared/attachments.ts). An agent's upload is kept in the cache and sent by the sync
 * (it survives a closed laptop and a day offline); the cache holds the thumbnails and the
 * files the agent opened, fetched from the server on demand.
 */
import { z } from 'zod'
import { ActionAvailability, Id, IsoDateTime } from '../domain'
import { AttachmentMeta, AttachmentType } from '../attachments'
import { spec } from '../channelSpec'

const Bytes = z.instanceof(Uint8Array)

/** An attachment as the screen lists it: the feed's metadata, and where it stands on this console. */
export const AttachmentItem = AttachmentMeta.pick({
  id: true,
  requestId: true,
  name: true,
  mime: true,
  size: true,
  width: true,
  height: true,
  source: true,
  createdByName: true,
}).extend({
  /** A thumbnail can be shown (an image the server has, or a pending image kept here). */
  thumbnail: z.boolean(),
  createdAt: IsoDateTime,
  /**
   * `sent`: the server has it; `pending`: waiting in this console for the sync; `refused`:
   * the server refused it for good (`error` says why; the agent may remove it).
   */
  state: z.enum(['sent', 'pending', 'refused']),
  error: z.string().nullable(),
  /** Whether this session may remove it, as the core decides. */
  remove: ActionAvailability,
})
export type AttachmentItem = z.infer<typeof AttachmentItem>

export const RequestAttachments = z.object({
  items: z.array(AttachmentItem),
  /** Adding one: the request is visible, not closed for the role, and below the per-request limit. */
  add: ActionAvailability,
  /** What the core accepts, for the file picker and the messages before sending. */
  limits: z.object({ maxBytes: z.number().int().positive(), types: z.array(AttachmentType) }),
})
export type RequestAttachments = z.infer<typeof RequestAttachments>

export const AttachmentBytes = z.object({
  name: z.string(),
  mime: AttachmentType,
  bytes: Bytes,
})
export type AttachmentBytes = z.infer<typeof AttachmentBytes>

export const attachmentChannels = {
  /** The request's attachments, newest first, and whether the session may add one. */
  'attachments.ofRequest': spec(z.object({ requestId: Id }).strict(), RequestAttachments),
  /**
   * Add a file (picker, drag-and-drop, pasted screenshot): type sniffed from the bytes and
   * size checked by the core, then queued for the server. The name is cleaned (no path).
   */
  'attachments.add': spec(
    z
      .object({
        requestId: Id,
        name: z.string().min(1).max(1000),
        bytes: Bytes.refine((b) => b.byteLength > 0, 'an empty file'),
      })
      .strict(),
    AttachmentItem,
  ),
  /** A thumbnail's JPEG bytes (cached); null when there is none or it cannot be fetched offline. */
  'attachments.thumbnail': spec(
    z.object({ id: Id }).strict(),
    z.object({ bytes: Bytes.nullable(), reason: z.enum(['none', 'offline']).nullable() }),
  ),
  /** The whole file, to view or save (fetched once, then kept in the cache). */
  'attachments.content': spec(z.object({ id: Id }).strict(), AttachmentBytes),
  /** Remove an attachment (its author, or a lead of the request's team); a pending one is simply dropped. */
  'attachments.remove': spec(z.object({ id: Id }).strict(), z.object({ removed: z.literal(true) })),
} as const
