/** Internal notes and public replies on a request. */
import type { Comment, CommentKind } from '../../../shared/domain'
import type { NewComment } from '../../../core/requests/records'
import type { Db } from '../db'
import { cached } from '../statements'

export type { NewComment }

export function insertComment(db: Db, comment: NewComment): void {
  const at = typeof comment.createdAt === 'number' ? comment.createdAt : Date.parse(comment.createdAt)
  if (!Number.isFinite(at)) throw new Error(`comment ${comment.id}: invalid createdAt`)
  cached(
    db,
    `INSERT INTO comments (id, request_id, kind, body, author_id, author_name, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
  ).run(comment.id, comment.requestId, comment.kind, comment.body, comment.authorId, comment.authorName, at)
}

interface DbCommentRow {
  id: string
  request_id: string
  kind: string
  body: string
  author_id: string | null
  author_name: string | null
  created_at: number
}

/** A request's comments, oldest first. */
export function listComments(db: Db, requestId: string): Comment[] {
  const rows = cached(
    db,
    `SELECT id, request_id, kind, body, author_id, author_name, created_at
     FROM comments WHERE request_id = ? ORDER BY created_at, rowid`,
  ).all(requestId) as DbCommentRow[]
  return rows.map((r) => ({
    id: r.id,
    requestId: r.request_id,
    kind: r.kind as CommentKind,
    body: r.body,
    authorId: r.author_id,
    authorName: r.author_name,
    createdAt: new Date(r.created_at).toISOString(),
  }))
}

/** A comment as the server holds it: inserted, or replaced (an anonymisation rewrites the text). */
export function upsertComment(db: Db, comment: Comment): void {
  cached(
    db,
    `INSERT INTO comments (id, request_id, kind, body, author_id, author_name, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, body = excluded.body,
       author_id = excluded.author_id, author_name = excluded.author_name`,
  ).run(
    comment.id,
    comment.requestId,
    comment.kind,
    comment.body,
    comment.authorId,
    comment.authorName,
    Date.parse(comment.createdAt),
  )
}
