/**
 * The server's attachment settings (config file section `attachments`, docs/server.md):
 * where the bytes go, the largest file, the accepted types, and how an Open311 `media_url`
 * is fetched. The schema is the configuration's (src/core/config/attachments.ts); here, the
 * blob directory is decided.
 */
import { dirname, join } from 'node:path'
import type { z } from 'zod'
import { AttachmentSettingsSchema } from '../../core/config/attachments'

export type AttachmentSettingsInput = z.input<typeof AttachmentSettingsSchema>
export type AttachmentSettings = z.output<typeof AttachmentSettingsSchema> & { dir: string }

/**
 * The settings with the blob directory decided: the configured one, else `attachments/`
 * beside the SQLite file, else (PostgreSQL) under `dataDir`.
 */
export function resolveAttachmentSettings(
  input: unknown,
  where: { database: string; dataDir: string },
): AttachmentSettings {
  const parsed = AttachmentSettingsSchema.parse(input ?? {})
  const onPostgres = /^postgres(ql)?:\/\//.test(where.database)
  const dir =
    parsed.dir ??
    (onPostgres ? join(where.dataDir, 'attachments') : join(dirname(where.database), 'attachments'))
  return { ...parsed, dir }
}
