/**
 * The first download made for size (issue 16): an empty cache is filled from the server's
 * snapshot, chunk after chunk, by two threads: the next chunk is on its way while one
 * unpacks the previous and the other writes the one before. Each chunk the worker keeps is
 * a checkpoint: a cut connection, a quit or a crash resumes after the last one (the same
 * snapshot cursor), and once the last chunk is in, the cache holds the feed's cursor to go
 * on from.
 */
import { existsSync } from 'node:fs'
import type { SyncStatus } from '../../shared/sync'
import type { Db } from '../cache/db'
import { getSyncState } from '../cache/queries/syncState'
import { cached } from '../cache/statements'
import { discardStaging, stagingPath } from './snapshotLoad'
import { ChunkRejected, startSnapshotLoader, type SnapshotCacheAccess } from './snapshotLoader'
import { SyncError, type SyncTransport } from './transport'

/** A chunk damaged on the way is asked again this many times before the round fails. */
const CHUNK_ATTEMPTS = 4

/** Chunks downloaded ahead of the threads (a few MB compressed each). */
const CHUNKS_AHEAD = 2

type Progress = NonNullable<SyncStatus['initial']>
type Chunk = Awaited<ReturnType<SyncTransport['snapshot']>>

export interface SnapshotSyncDeps {
  db: Db
  transport: Pick<SyncTransport, 'snapshot'>
  token: string
  cache: SnapshotCacheAccess
  /** Requests per chunk (a few MB of JSON at 2 000: well under a second of the server's time). */
  chunkRows: number
  /** The agent and server epoch: a staged snapshot of anyone else is not resumed. */
  owner: string
  /** The engine's retry of one call after a transient failure. */
  retried: <T>(call: () => Promise<T>, first?: Promise<T>) => Promise<T>
  /** Throws when the engine stops (logout, quit): the worker stops at its next checkpoint. */
  assertRunning: () => void
  show: (progress: Progress) => void
  /** The server has no snapshot (an older one): the feed does the first download. */
  refused: () => void
}

const MALFORMED = (detail: string) =>
  `Le serveur a envoyé un bloc du téléchargement initial illisible (${detail}) : nouvel essai bientôt.`

/**
 * Fill the empty cache from a snapshot. @returns true once it is all in (the feed then
 * reads on from the cursor the worker set; the caller says « first download done » once
 * the screens are told), false when the feed should do it instead (the cache is not empty,
 * or the server offers no snapshot; after a crash between the two, the feed goes on from
 * the snapshot's cursor).
 */
export async function firstDownloadBySnapshot(deps: SnapshotSyncDeps): Promise<boolean> {
  const { db, cache } = deps
  const staging = stagingPath(cache.file)
  if (getSyncState(db, 'initial_done') === '1') {
    // A snapshot that completed just before a crash: its staging file goes now.
    discardStaging(staging)
    return false
  }
  const empty = cached(db, 'SELECT NOT EXISTS (SELECT 1 FROM requests)').pluck().get() === 1
  const resuming = existsSync(staging)
  if (!empty && !resuming) return false

  // A new snapshot: its first chunk says how big it is before any thread is started.
  let first: Chunk | null = null
  if (!resuming) {
    const call = () => deps.transport.snapshot(deps.token, { after: '', cursor: null, limit: deps.chunkRows })
    try {
      first = await deps.retried(call)
    } catch (e) {
      if (!(e instanceof SyncError && e.kind === 'refused' && e.status === 404)) throw e
      deps.refused()
      return false
    }
    // Made for size: below two chunks the feed's pages are as quick, and need no thread.
    if (first.next === null || (first.total ?? 0) <= 2 * deps.chunkRows) return false
  }

  const loader = startSnapshotLoader(cache, deps.owner)
  const state = await loader.ready
  let cursor = state.cursor
  let total = state.total
  let rows = state.rows
  let bytes = state.bytes
  const started = { at: performance.now(), rows: state.rows }
  const show = (phase: Progress['phase']) => {
    const elapsed = (performance.now() - started.at) / 1000
    const rate = (rows - started.rows) / elapsed
    const left = Math.max(0, (total ?? rows) - rows)
    deps.show({
      done: rows,
      total: total ?? 0,
      phase,
      bytes,
      etaSeconds: phase === 'snapshot' && total !== null && rate > 0 ? Math.round(left / rate) : null,
    })
  }
  loader.onProgress((s) => {
    rows = s.rows
    bytes += s.bytes
    show('snapshot')
  })
  show('snapshot')

  /** A chunk asked; `arrived` once it is here. */
  interface Asked {
    chunk: Promise<Chunk>
    call: () => Promise<Chunk>
    arrived?: Chunk
  }
  /** Asked and not yet handed to the threads, oldest first; `last`: the latest asked. */
  const ahead: Asked[] = []
  let last: Asked | null = null
  let stopped = false
  const ask = (after: string, snapshotCursor: string | null, given?: Chunk) => {
    // The first chunk asked again takes the snapshot's cursor, known by then.
    const call = () =>
      deps.transport.snapshot(deps.token, { after, cursor: snapshotCursor ?? cursor, limit: deps.chunkRows })
    const asked: Asked = { chunk: given ? Promise.resolve(given) : deps.retried(call), call }
    asked.chunk.then(
      (c) => {
        asked.arrived = c
        askMore()
      },
      () => {},
    )
    ahead.push(asked)
    last = asked
  }
  /**
   * The server's next chunk is asked as soon as the one before it arrives (it says where the
   * next starts), while fewer than CHUNKS_AHEAD wait: the server builds it while the
   * threads unpack and write the ones before.
   */
  const askMore = () => {
    const arrived = last?.arrived
    if (!stopped && arrived && arrived.next !== null && ahead.length < CHUNKS_AHEAD)
      ask(arrived.next, arrived.cursor)
  }

  /** Hand a chunk to the worker; one it finds damaged is asked again. */
  async function send(given: Chunk, again: () => Promise<Chunk>): Promise<void> {
    let chunk = given
    for (let attempt = 1; ; attempt++) {
      try {
        const accepted = await loader.send(chunk.bytes)
        if (accepted.next !== chunk.next)
          throw new SyncError('protocol', MALFORMED('position suivante différente de l’en-tête'))
        return
      } catch (e) {
        if (!(e instanceof ChunkRejected)) throw e
        if (attempt >= CHUNK_ATTEMPTS) throw new SyncError('protocol', MALFORMED(e.message))
        chunk = await deps.retried(again)
      }
    }
  }

  let complete = state.next === null
  try {
    if (first && state.next === '') ask('', null, first)
    else if (state.next !== null) ask(state.next, cursor)
    for (let current = ahead.shift(); current; current = ahead.shift()) {
      askMore()
      let chunk: Chunk
      try {
        chunk = await current.chunk
      } catch (e) {
        // An older server again (restored from an older version): the feed, from scratch.
        if (e instanceof SyncError && e.kind === 'refused' && e.status === 404 && rows === 0) {
          deps.refused()
          return false
        }
        throw e
      }
      deps.assertRunning()
      if (cursor !== null && chunk.cursor !== cursor)
        throw new SyncError('protocol', MALFORMED('curseur différent de celui du premier bloc'))
      cursor = chunk.cursor
      total ??= chunk.total
      await send(chunk, current.call)
    }
    complete = true
  } finally {
    stopped = true
    if (rows > 0) show('indexing')
    // Whatever happened, the worker leaves the cache whole (indexes and derived data built);
    // what is staged waits for the next round.
    const result = await loader.finish()
    complete = complete && result.complete
  }
  return complete
}
