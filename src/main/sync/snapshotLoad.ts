/**
 * The first download's writing side (issue 16), run by the snapshot worker: chunks of the
 * server's snapshot are unpacked and validated, kept in a staging file, and written into
 * the cache through `bulkLoad` (derived triggers and indexes off, rebuilt once at the end).
 *
 * Crash-safe by construction: a chunk is committed to the staging file (with where the
 * next one starts: the checkpoint) before it is written to the cache, and the cache's rows
 * of an unfinished snapshot are only ever rows of that staging file. So an interrupted load
 * (a cut connection, a quit, a crash) resumes by putting the cache back to empty, replaying
 * the staged chunks through a new `bulkLoad`, and asking the server for what follows: no
 * chunk downloaded twice, no row twice.
 *
 * The staging file sits beside the cache, encrypted with the same key (it holds the same
 * personal data), and is scrubbed once the snapshot is in.
 */
import { chmodSync, closeSync, existsSync, openSync } from 'node:fs'
import { gunzipSync } from 'node:zlib'
import Database from 'better-sqlite3-multiple-ciphers'
import { ChangesReplyFromServer, SYNC_LIMITS, type Change } from '../../shared/sync'
import { bulkLoad, type BulkLoadTimings } from '../cache/bulkLoad'
import type { Db } from '../cache/db'
import { keyDatabase, scrubFile } from '../cache/encryption'
import { appendHistoryRows, historyRowsOf, type HistoryRows } from '../cache/queries/history'
import { setSyncState } from '../cache/queries/syncState'
import { retentionPolicyOf } from '../cache/queries/privacyPolicy'
import { applyCacheRetention, takeRetentionPending } from '../cache/retention'
import type { RetentionPolicy } from '../../shared/privacy'
import { applyReference, insertNewRequestEntity, takeServerTour } from './apply'

export const stagingPath = (cacheFile: string) => `${cacheFile}-snapshot`

/** A chunk unpacks to at most this (a zip bomb is refused, not expanded). */
const MAX_UNPACKED_BYTES = 1024 * 1024 * 1024

export interface StagedState {
  /** The snapshot's feed cursor; null: nothing staged yet. */
  cursor: string | null
  /** Where the next chunk starts ('' the first); null: the last chunk is staged. */
  next: string | null
  total: number | null
  rows: number
  bytes: number
  chunks: number
}

export interface ChunkHeader {
  cursor: string
  next: string | null
  total: number | null
  rows: number
}

export function openStaging(file: string, key?: Uint8Array, nativeBinding?: string): Db {
  // Its user's alone before SQLite writes a byte, as the cache (its WAL takes this mode).
  if (!existsSync(file)) closeSync(openSync(file, 'a', 0o600))
  chmodSync(file, 0o600)
  const db = new Database(file, nativeBinding ? { nativeBinding } : {})
  try {
    if (key) keyDatabase(db, Buffer.from(key))
    db.pragma('journal_mode = WAL')
    db.pragma('synchronous = NORMAL')
    db.exec(`CREATE TABLE IF NOT EXISTS chunks (n INTEGER PRIMARY KEY, rows INTEGER NOT NULL, bytes BLOB NOT NULL);
             CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;`)
  } catch (e) {
    db.close()
    throw e
  }
  return db
}

const meta = (staging: Db, key: string) =>
  staging.prepare('SELECT value FROM meta WHERE key = ?').pluck().get(key) as string | undefined
const setMeta = (staging: Db, key: string, value: string) =>
  staging.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)').run(key, value)

/**
 * The staging file as `owner` (an agent on a server epoch) may resume it: another agent's
 * or another epoch's snapshot is thrown away, never taken into this one's cache.
 */
export function claimStaging(staging: Db, owner: string): StagedState {
  if (meta(staging, 'owner') !== owner)
    staging.transaction(() => {
      staging.exec('DELETE FROM chunks; DELETE FROM meta;')
      setMeta(staging, 'owner', owner)
    })()
  const sums = staging
    .prepare(
      'SELECT count(*) AS chunks, ifnull(sum(rows), 0) AS rows, ifnull(sum(length(bytes)), 0) AS bytes FROM chunks',
    )
    .get() as {
    chunks: number
    rows: number
    bytes: number
  }
  const total = meta(staging, 'total')
  return {
    cursor: meta(staging, 'cursor') ?? null,
    next: sums.chunks === 0 ? '' : meta(staging, 'complete') === '1' ? null : (meta(staging, 'next') ?? ''),
    total: total === undefined ? null : Number(total),
    ...sums,
  }
}

/** Not a snapshot chunk as the protocol says: asked again, nothing kept. */
export class ChunkError extends Error {}

/**
 * Unpack and validate one chunk, as the feed validates its pages (changes of a kind this
 * console does not know passed over). @throws ChunkError
 */
export function unpackChunk(bytes: Uint8Array): { header: ChunkHeader; changes: Change[] } {
  let text: string
  try {
    text = gunzipSync(bytes, { maxOutputLength: MAX_UNPACKED_BYTES }).toString('utf8')
  } catch {
    throw new ChunkError('bloc tronqué ou illisible')
  }
  const lines = text.split('\n')
  if (lines[lines.length - 1] === '') lines.pop()
  let parsed: unknown[]
  try {
    parsed = lines.map((l) => JSON.parse(l) as unknown)
  } catch {
    throw new ChunkError('JSON invalide')
  }
  const header = parsed.shift() as Partial<ChunkHeader & { type: string }> | undefined
  if (
    !header ||
    header.type !== 'snapshot' ||
    typeof header.cursor !== 'string' ||
    !/^\d{1,15}$/.test(header.cursor) ||
    !(header.next === null || typeof header.next === 'string') ||
    !(header.total === null || Number.isInteger(header.total)) ||
    header.rows !== parsed.length
  )
    throw new ChunkError('en-tête de bloc invalide ou bloc incomplet')
  const changes: Change[] = []
  for (let i = 0; i < parsed.length; i += SYNC_LIMITS.changesPerPage) {
    const page = ChangesReplyFromServer.safeParse({
      changes: parsed.slice(i, i + SYNC_LIMITS.changesPerPage),
      nextCursor: header.cursor,
      hasMore: false,
      remaining: 0,
    })
    if (!page.success) {
      const issue = page.error.issues[0]
      throw new ChunkError(`${issue?.path.join('.') || 'racine'} : ${issue?.message}`)
    }
    changes.push(...page.data.changes)
  }
  return {
    header: {
      cursor: header.cursor,
      next: header.next ?? null,
      total: header.total ?? null,
      rows: header.rows,
    },
    changes,
  }
}

/** Keep a validated chunk and the checkpoint after it, in one transaction. */
export function stageChunk(staging: Db, bytes: Uint8Array, header: ChunkHeader, rows: number): void {
  staging.transaction(() => {
    staging.prepare('INSERT INTO chunks (rows, bytes) VALUES (?, ?)').run(rows, Buffer.from(bytes))
    setMeta(staging, 'cursor', header.cursor)
    setMeta(staging, 'next', header.next ?? '')
    setMeta(staging, 'complete', header.next === null ? '1' : '0')
    if (header.total !== null) setMeta(staging, 'total', String(header.total))
  })()
}

/** The staged chunks, oldest first, one at a time (a chunk's bytes are read when its turn comes). */
export function* stagedChunks(staging: Db): Generator<Uint8Array> {
  const ids = staging.prepare('SELECT n FROM chunks ORDER BY n').pluck().all() as number[]
  const read = staging.prepare('SELECT bytes FROM chunks WHERE n = ?').pluck()
  for (const n of ids) yield read.get(n) as Buffer
}

/**
 * A chunk's history events taken out of its requests as flat rows (the unpacker thread
 * does this, so that the writing thread receives strings and numbers, not objects).
 */
export function packHistory(changes: readonly Change[]): { changes: Change[]; history: HistoryRows } {
  const history: HistoryRows = []
  const packed = changes.map((c) => {
    if (c.type !== 'request' || c.entity.history.length === 0) return c
    historyRowsOf(c.entity.request.id, c.entity.history, history)
    return { ...c, entity: { ...c.entity, history: [] } }
  })
  return { changes: packed, history }
}

/**
 * Write a chunk's changes (and the history `packHistory` took out of them) into the cache,
 * in one transaction: exactly what the feed's apply does for the same changes on an empty
 * cache (a snapshot holds each request once, and nothing of the agent's waits to be
 * re-applied on a first download). @returns the requests written.
 */
export function writeChanges(db: Db, changes: readonly Change[], history: HistoryRows = []): number {
  let requests = 0
  db.transaction(() => {
    for (const c of changes) {
      if (c.type === 'reference') applyReference(db, c.reference)
      else if (c.type === 'tour') takeServerTour(db, c.tour.id, c.tour)
      else if (c.type === 'request') {
        insertNewRequestEntity(db, c.entity)
        requests++
      }
    }
    appendHistoryRows(db, history)
  })()
  return requests
}

/** Every trigger and index of the cache, to put back whatever a crash in a bulk load left dropped. */
export function schemaObjects(db: Db): { name: string; sql: string }[] {
  return db
    .prepare(`SELECT name, sql FROM sqlite_schema WHERE type IN ('trigger', 'index') AND sql IS NOT NULL`)
    .all() as { name: string; sql: string }[]
}

export function rememberSchema(staging: Db, db: Db): void {
  if (meta(staging, 'schema') === undefined) setMeta(staging, 'schema', JSON.stringify(schemaObjects(db)))
}

/**
 * The cache back to empty before the staged chunks are replayed: the rows of the unfinished
 * snapshot go (their comments, history and attachments by cascade), and the triggers and
 * indexes a crash in the middle of a bulk load left dropped come back (after the rows: the
 * derived data of those rows was never built, there is nothing of it to undo).
 */
export function resetPartialLoad(db: Db, staging: Db): void {
  const saved = JSON.parse(meta(staging, 'schema') ?? '[]') as { name: string; sql: string }[]
  const present = new Set(schemaObjects(db).map((o) => o.name))
  const missing = saved.filter((o) => !present.has(o.name))
  db.transaction(() => {
    db.exec(
      'DELETE FROM requests; DELETE FROM citizens WHERE id NOT IN (SELECT citizen_id FROM citizen_contacts);',
    )
    for (const o of missing) db.exec(o.sql)
  })()
}

/**
 * The cache's retention over the whole snapshot, in the worker once its rows are in and
 * indexed and before the search index, the counts and the map are built (bulkLoad's
 * `beforeDerived`): the main process, which would otherwise run it over every due request
 * at once after the download (seconds of a frozen screen at 100k), finds nothing left to
 * do, and what it takes out fires no trigger (the search entries are built from what is
 * left). Not earlier: without the requests' citizen index, each citizen's « still
 * someone's? » check would scan the table. Failing here leaves it to the main process: the
 * flag the reference data raised stays.
 */
function applyLoadedRetention(db: Db, configured: RetentionPolicy, now: number): void {
  try {
    applyCacheRetention(db, retentionPolicyOf(db, configured), now)
    takeRetentionPending(db)
  } catch {
    // Left pending (see above).
  }
}

/** The feed cursor of the staged snapshot once its last chunk is staged; null before. */
function completedCursor(staging: Db): string | null {
  const state = claimStaging(staging, meta(staging, 'owner') ?? '')
  return state.next === null ? state.cursor : null
}

export interface SnapshotLoadResult {
  complete: boolean
  rows: number
  /** Null when nothing was loaded. */
  timings: BulkLoadTimings | null
}

/**
 * Fill the empty cache: the staged chunks first, then each chunk `nextChunk` gives (null:
 * no more now; `complete` says whether the snapshot ended) until it gives null. When the
 * last chunk is in, the feed's cursor is set in the cache and the staging file goes.
 */
export function loadSnapshot(
  db: Db,
  staging: Db,
  nextChunk: () => {
    bytes: Uint8Array
    header: ChunkHeader
    changes: Change[]
    history?: HistoryRows
  } | null,
  onChunk: (rows: number, bytes: number, next: string | null, replayed: boolean) => void,
  options: { retention?: RetentionPolicy; now?: number } = {},
): SnapshotLoadResult {
  rememberSchema(staging, db)
  if (db.prepare('SELECT EXISTS (SELECT 1 FROM requests)').pluck().get() === 1) {
    // Rows that are not this snapshot's (nothing staged) are never thrown away.
    if (staging.prepare('SELECT count(*) FROM chunks').pluck().get() === 0)
      return { complete: false, rows: 0, timings: null }
    resetPartialLoad(db, staging)
  }
  let rows = 0
  const retention = () => {
    if (options.retention && completedCursor(staging) !== null)
      applyLoadedRetention(db, options.retention, options.now ?? Date.now())
  }
  const { timings } = bulkLoad(
    db,
    () => {
      for (const bytes of stagedChunks(staging)) {
        const { changes, header } = unpackChunk(bytes)
        rows += writeChanges(db, changes)
        onChunk(rows, bytes.byteLength, header.next, true)
      }
      for (let chunk = nextChunk(); chunk; chunk = nextChunk()) {
        stageChunk(
          staging,
          chunk.bytes,
          chunk.header,
          chunk.changes.filter((c) => c.type === 'request').length,
        )
        rows += writeChanges(db, chunk.changes, chunk.history)
        onChunk(rows, chunk.bytes.byteLength, chunk.header.next, false)
      }
    },
    { beforeDerived: retention },
  )
  const cursor = completedCursor(staging)
  const complete = cursor !== null
  // The load went through the WAL: empty it here, in the worker. Left to the main process,
  // its next commit would copy what is left of it into the cache (seconds at 100k requests).
  db.pragma('wal_checkpoint(TRUNCATE)')
  if (complete)
    db.transaction(() => {
      // « First download done » is the engine's to say, once the screens were told: until
      // then the cache still counts as filling (notifications do not read its history).
      setSyncState(db, 'cursor', cursor)
      // Where the load's time went, for the benchmark and a support diagnosis (no personal data).
      // The retention is bulkLoad's `before_derived` phase, said apart under its own name.
      const retentionMs = timings.phases.before_derived ?? 0
      setSyncState(db, 'snapshot_timings', JSON.stringify({ ...timings, retentionMs }))
    })()
  return { complete, rows, timings }
}

/** The staging file and its WAL, overwritten then removed (after the staging connection closed). */
export function discardStaging(file: string): void {
  for (const f of [file, `${file}-wal`, `${file}-shm`]) if (existsSync(f)) scrubFile(f)
}
