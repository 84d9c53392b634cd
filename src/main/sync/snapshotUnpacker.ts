/**
 * The snapshot's second thread (issue 16): it unpacks and validates each chunk (gunzip,
 * UTF-8, JSON, the protocol's schema: a third of a chunk's time in the worker) while the
 * snapshot worker writes the previous one into the cache, so the two costs overlap on two
 * cores instead of adding up on one. The history events travel as flat rows (packHistory).
 *
 * Protocol (snapshotLoader.ts starts it): it takes `chunk` and `finish` from the main
 * process, answers `accepted` (with the chunk's header) or `rejected` for each chunk, and
 * hands each accepted chunk, unpacked, to the snapshot worker on `port`, in the order
 * received; `finish` goes to the worker after every chunk before it.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads'
import { ChunkError, packHistory, unpackChunk } from './snapshotLoad'
import type { ToWorker } from './snapshotWorker'

export interface SnapshotUnpackerData {
  /** The snapshot worker's port: unpacked chunks go there. */
  port: MessagePort
  /** [0]: messages posted to `port` (the worker waits on it, see snapshotWorker.ts). */
  signal: Int32Array
}

/** What the main process sends: a chunk's bytes as downloaded, or the end. */
export type ToUnpacker = { type: 'chunk'; bytes: Uint8Array } | { type: 'finish' }

export type FromUnpacker =
  | { type: 'accepted'; next: string | null; rows: number }
  | { type: 'rejected'; message: string }
  | { type: 'failed'; message: string }

function run({ port, signal }: SnapshotUnpackerData) {
  const reply = (m: FromUnpacker) => parentPort!.postMessage(m)
  const toWorker = (m: ToWorker, transfer: ArrayBuffer[] = []) => {
    port.postMessage(m, transfer)
    Atomics.add(signal, 0, 1)
    Atomics.notify(signal, 0)
  }
  parentPort!.on('message', (m: ToUnpacker) => {
    if (m.type === 'finish') {
      toWorker({ type: 'finish' })
      return
    }
    try {
      const { header, changes } = unpackChunk(m.bytes)
      reply({ type: 'accepted', next: header.next, rows: header.rows })
      // The bytes handed over whole (the worker stages them as they came): no copy.
      toWorker({ type: 'chunk', bytes: m.bytes, header, ...packHistory(changes) }, [
        m.bytes.buffer as ArrayBuffer,
      ])
    } catch (e) {
      // Damaged on the way: the main process asks the server again. Anything else is a bug.
      reply(
        e instanceof ChunkError
          ? { type: 'rejected', message: e.message }
          : { type: 'failed', message: e instanceof Error ? e.message : String(e) },
      )
    }
  })
}

if (parentPort) run(workerData as SnapshotUnpackerData)
