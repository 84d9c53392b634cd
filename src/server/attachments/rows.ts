/**
 * Attachment rows: read for the feed (every attachment of a page of requests in a few
 * statements) and for the routes. Removing rows never touches the bytes: the blobs they
 * used are queued in `attachment_orphans`, deleted after the commit (service.ts).
 */
import { AttachmentMeta, type AttachmentSource } from '../../shared/attachments'
import { placeholders, type Sql, type SqlParam } from '../store/sql/client'

export interface AttachmentDbRow {
  id: string
  request_id: string
  name: string
  mime: string
  size: number
  width: number | null
  height: number | null
  sha256: string
  thumb_sha256: string | null
  source: string
  created_at: number
  created_by: string | null
  created_by_name: string | null
}

export const ATTACHMENT_SELECT =
  'id, request_id, name, mime, size, width, height, sha256, thumb_sha256, source, created_at, created_by, created_by_name'

export const toAttachmentMeta = (r: AttachmentDbRow): AttachmentMeta =>
  AttachmentMeta.parse({
    id: r.id,
    requestId: r.request_id,
    name: r.name,
    mime: r.mime,
    size: Number(r.size),
    width: r.width === null ? null : Number(r.width),
    height: r.height === null ? null : Number(r.height),
    thumbnail: r.thumb_sha256 !== null,
    source: r.source,
    createdAt: Number(r.created_at),
    createdBy: r.created_by,
    createdByName: r.created_by_name,
  })

export async function attachmentRow(sql: Pick<Sql, 'get'>, id: string): Promise<AttachmentDbRow | undefined> {
  return sql.get<AttachmentDbRow>(`SELECT ${ATTACHMENT_SELECT} FROM attachments WHERE id = ?`, [id])
}

const PER_STATEMENT = 500

export async function rowsOf(
  sql: Pick<Sql, 'all'>,
  requestIds: readonly string[],
  sources: readonly AttachmentSource[] | null = null,
): Promise<AttachmentDbRow[]> {
  const unique = [...new Set(requestIds)]
  const out: AttachmentDbRow[] = []
  const bySource = sources ? ` AND source IN (${placeholders(sources.length)})` : ''
  for (let i = 0; i < unique.length; i += PER_STATEMENT) {
    const part = unique.slice(i, i + PER_STATEMENT)
    out.push(
      ...(await sql.all<AttachmentDbRow>(
        `SELECT ${ATTACHMENT_SELECT} FROM attachments
         WHERE request_id IN (${placeholders(part.length)})${bySource} ORDER BY created_at, id`,
        [...part, ...(sources ?? [])],
      )),
    )
  }
  return out
}

/** The attachments of `requestIds` as the feed carries them, oldest first, by request. */
export async function attachmentsOf(
  sql: Pick<Sql, 'all'>,
  requestIds: readonly string[],
): Promise<Map<string, AttachmentMeta[]>> {
  const out = new Map<string, AttachmentMeta[]>()
  if (requestIds.length === 0) return out
  for (const r of await rowsOf(sql, requestIds)) {
    const list = out.get(r.request_id) ?? []
    list.push(toAttachmentMeta(r))
    out.set(r.request_id, list)
  }
  return out
}

/** Queue blobs whose last row may have gone; deleted after the commit if nothing uses them by then. */
export async function queueOrphans(sql: Pick<Sql, 'run'>, keys: ReadonlyArray<string | null>, at: number) {
  const unique = [...new Set(keys.filter((k): k is string => k !== null))]
  for (let i = 0; i < unique.length; i += PER_STATEMENT) {
    const part = unique.slice(i, i + PER_STATEMENT)
    await sql.run(
      `INSERT INTO attachment_orphans (sha256, at) VALUES ${part.map(() => '(?, ?)').join(', ')}
       ON CONFLICT (sha256) DO NOTHING`,
      part.flatMap((k): SqlParam[] => [k, at]),
    )
  }
}
