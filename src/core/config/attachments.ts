/**
 * The server's attachment settings (config file section `attachments`, docs/server.md):
 * where the bytes go, the largest file, the accepted types, and how an Open311 `media_url`
 * is fetched. Read by the reference server only (src/server/attachments/settings.ts decides
 * the directory); here because the configuration's schema is the core's.
 */
import { z } from 'zod'
import { ATTACHMENT_LIMITS, ATTACHMENT_TYPES, AttachmentType } from '../../shared/attachments'

export const AttachmentSettingsSchema = z
  .object({
    /** The blob directory; absent: `attachments/` beside the SQLite file, or under the server's data dir. */
    dir: z.string().min(1).max(1024).optional(),
    /** The largest file accepted, in bytes (an upload or a fetched `media_url`). */
    maxBytes: z
      .number()
      .int()
      .min(1024)
      .max(200 * 1024 * 1024)
      .default(ATTACHMENT_LIMITS.maxBytes),
    /** The accepted types, among the shared ones (`ATTACHMENT_TYPES`). */
    types: z
      .array(AttachmentType)
      .min(1)
      .default([...ATTACHMENT_TYPES]),
    mediaFetch: z
      .object({
        timeoutMs: z.number().int().min(100).max(120_000).default(10_000),
        /**
         * Host names or addresses fetched even when they resolve to a private or loopback
         * address (an authority's own intranet photo server). Exact matches only.
         */
        allowHosts: z.array(z.string().min(1).max(253)).default([]),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .prefault({})
