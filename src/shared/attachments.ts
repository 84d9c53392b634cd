/**
 * Photos and documents attached to a request (issue 14): what the server and the consoles
 * agree on. The server keeps the bytes (content-addressed, images re-encoded without their
 * EXIF metadata); the feed carries each request's attachments as metadata
 * (`RequestEntity.attachments`); a console keeps only thumbnails and the files its agent
 * opened, and queues its own uploads in the cache until the server has them.
 *
 * The HTTP protocol (agent's access token, like every /api/v1 route):
 * - `PUT /api/v1/requests/:requestId/attachments/:attachmentId?name=<file name>`: the raw
 *   bytes as the body, `Content-Type` the declared type. The id is made by the console, so a
 *   retried upload is applied once (the same id again answers the stored attachment, 200).
 *   Answers 201 with an `AttachmentMeta`; 413 `too_large`, 415 `unsupported_type` (the bytes
 *   are sniffed, never the declared type believed), 403/404 as for the request.
 * - `GET /api/v1/attachments/:id/content`: the stored bytes (re-encoded for images), with
 *   `Content-Type`, `Content-Disposition: attachment` and `Content-Security-Policy: sandbox`.
 * - `GET /api/v1/attachments/:id/thumbnail`: a JPEG of at most THUMBNAIL_EDGE px, for images.
 * - `DELETE /api/v1/attachments/:id`: removes it (the agent who added it, or a lead of the
 *   request's team); history `attachment_removed`.
 * Each addition and removal is a history event of the request and moves it in the feed.
 */
import { z } from 'zod'
import { Id } from './domain'

/** Types an authority accepts unless its configuration narrows them (`attachments.types`). */
export const ATTACHMENT_TYPES = ['image/jpeg', 'image/png', 'image/webp', 'application/pdf'] as const
export const AttachmentType = z.enum(ATTACHMENT_TYPES)
export type AttachmentType = z.infer<typeof AttachmentType>

export const ATTACHMENT_LIMITS = {
  /** Default largest file (`attachments.maxBytes` on the server changes it). */
  maxBytes: 10 * 1024 * 1024,
  /** Attachments one request holds at most. */
  perRequest: 50,
  name: 200,
} as const

/** The longest side of a thumbnail, in pixels. */
export const THUMBNAIL_EDGE = 320

/** Where an attachment came from: an agent's console, a citizens' portal (Open311), a partner. */
export const AttachmentSource = z.enum(['agent', 'citizen', 'partner'])
export type AttachmentSource = z.infer<typeof AttachmentSource>

/** One attachment as the feed carries it (never the bytes). */
export const AttachmentMeta = z.object({
  id: Id,
  requestId: Id,
  /** The file name as given, for display and download (never a path). */
  name: z.string().min(1).max(ATTACHMENT_LIMITS.name),
  /** As sniffed from the bytes the server kept. */
  mime: AttachmentType,
  size: z.number().int().nonnegative(),
  width: z.number().int().positive().nullable(),
  height: z.number().int().positive().nullable(),
  /** A thumbnail exists (images). */
  thumbnail: z.boolean(),
  source: AttachmentSource,
  createdAt: z.number().int().nonnegative(),
  /** The agent who added it; null for a citizen's or a partner's. */
  createdBy: Id.nullable(),
  createdByName: z.string().max(200).nullable(),
})
export type AttachmentMeta = z.infer<typeof AttachmentMeta>

const startsWith = (bytes: Uint8Array, signature: readonly number[], at = 0) =>
  bytes.length >= at + signature.length && signature.every((b, i) => bytes[at + i] === b)

/**
 * The type the bytes are, by their signature, among the accepted ones; null otherwise. A
 * declared type or a file name is never believed: a `.jpg` holding HTML stays refused.
 */
export function sniffAttachmentType(bytes: Uint8Array): AttachmentType | null {
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'image/jpeg'
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png'
  // RIFF....WEBP
  if (startsWith(bytes, [0x52, 0x49, 0x46, 0x46]) && startsWith(bytes, [0x57, 0x45, 0x42, 0x50], 8))
    return 'image/webp'
  if (startsWith(bytes, [0x25, 0x50, 0x44, 0x46, 0x2d])) return 'application/pdf'
  return null
}

export const isImageType = (mime: AttachmentType): boolean => mime.startsWith('image/')

/**
 * A file name safe to show and to offer as a download name: no directories, no control
 * characters, at most ATTACHMENT_LIMITS.name characters; `fallback` when nothing is left.
 */
export function cleanAttachmentName(name: string, fallback = 'piece-jointe'): string {
  const base = name.split(/[\\/]/).pop() ?? ''
  // eslint-disable-next-line no-control-regex
  const clean = base.replace(/[\u0000-\u001f\u007f]/g, '').trim()
  return (clean || fallback).slice(0, ATTACHMENT_LIMITS.name)
}
