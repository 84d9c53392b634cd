/**
 * The snapshot worker (issue 16): a thread of its own that writes the first download into
 * the cache, so the main process's event loop (IPC, the UI's calls) never waits for it.
 * It opens the cache with the profile's key, as the main process does. `bulkLoad` wants
 * its load synchronous: the worker blocks between chunks (Atomics.wait) instead of
 * returning to its event loop, which only it pays.
 *
 * Protocol (snapshotLoader.ts starts it): it posts `ready` (what is staged), then takes
 * chunks already unpacked and validated by the unpacker thread (snapshotUnpacker.ts) and
 * `finish` on its port, answering `staged` for each chunk once it is in the cache, and
 * `done` (or `failed`) at the end. Staged chunks replayed after a crash are unpacked here.
 */
import { parentPort, receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads'
import type { RetentionPolicy } from '../../shared/privacy'
import type { Change } from '../../shared/sync'
import type { BulkLoadTimings } from '../cache/bulkLoad'
import { openStore } from '../cache/db'
import type { HistoryRows } from '../cache/queries/history'
import {
  claimStaging,
  discardStaging,
  loadSnapshot,
  openStaging,
  stagingPath,
  type ChunkHeader,
} from './snapshotLoad'

export interface SnapshotWorkerData {
  cacheFile: string
  key: Uint8Array | null
  nativeBinding: string | null
  /** The agent and server epoch the snapshot is for (another's staging is thrown away). */
  owner: string
  /** The configured retention (SnapshotCacheAccess.retention); null: none applied here. */
  retention: RetentionPolicy | null
  port: MessagePort
  /** [0]: messages posted to `port` (the main side counts up and notifies). */
  signal: Int32Array
}

/**
 * A chunk as the unpacker validated it (with its bytes as downloaded, to stage, and its
 * history as flat rows); `finish`: no more chunks now (the last was sent, or the round
 * stops: resumed later).
 */
export type ToWorker =
  | { type: 'chunk'; bytes: Uint8Array; header: ChunkHeader; changes: Change[]; history: HistoryRows }
  | { type: 'finish' }

export type FromWorker =
  | {
      type: 'ready'
      cursor: string | null
      next: string | null
      total: number | null
      rows: number
      bytes: number
    }
  | { type: 'staged'; rows: number; bytes: number; next: string | null; replayed: boolean }
  | { type: 'done'; complete: boolean; rows: number; timings: BulkLoadTimings | null }
  | { type: 'failed'; message: string }

function run(data: SnapshotWorkerData) {
  const post = (m: FromWorker) => parentPort!.postMessage(m)
  const file = stagingPath(data.cacheFile)
  const key = data.key ?? undefined
  const nativeBinding = data.nativeBinding ?? undefined
  const db = openStore(data.cacheFile, { key: key && Buffer.from(key), nativeBinding, busyTimeoutMs: 30_000 })
  const staging = openStaging(file, key, nativeBinding)
  let complete = false
  let outcome: FromWorker
  try {
    const state = claimStaging(staging, data.owner)
    post({ type: 'ready', ...state })
    let seen = 0
    /** The next message, waiting for it without turning the event loop. */
    const receive = (): ToWorker => {
      for (;;) {
        const m = receiveMessageOnPort(data.port)
        if (m) {
          seen++
          return m.message as ToWorker
        }
        Atomics.wait(data.signal, 0, seen)
      }
    }
    const result = loadSnapshot(
      db,
      staging,
      () => {
        const m = receive()
        return m.type === 'chunk' ? m : null
      },
      (rows, bytes, next, replayed) => post({ type: 'staged', rows, bytes, next, replayed }),
      data.retention ? { retention: data.retention, now: Date.now() } : {},
    )
    complete = result.complete
    outcome = { type: 'done', complete, rows: result.rows, timings: result.timings }
  } catch (e) {
    outcome = { type: 'failed', message: e instanceof Error ? e.message : String(e) }
  } finally {
    staging.close()
    db.close()
    if (complete) discardStaging(file)
  }
  // Last: the main side ends the thread when it hears it.
  post(outcome)
}

if (parentPort) run(workerData as SnapshotWorkerData)
