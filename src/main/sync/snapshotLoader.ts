/**
 * The main process's side of the snapshot worker (snapshotWorker.ts): it starts the
 * thread, hands it each chunk's bytes (transferred, not copied) and hears back what was
 * kept. Nothing here parses or writes: the event loop only moves bytes.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { MessageChannel, Worker } from 'node:worker_threads'
import type { RetentionPolicy } from '../../shared/privacy'
import type { FromWorker, SnapshotWorkerData, ToWorker } from './snapshotWorker'

export interface SnapshotCacheAccess {
  /** The cache file and its key, for the worker's own connection. */
  file: string
  key: Uint8Array | null
  nativeBinding?: string
  /**
   * The retention configured on this workstation (the server's, once its reference data is
   * in, takes precedence): applied by the worker before the indexes are built, so the main
   * process does not strip a whole first download's due requests at once afterwards.
   */
  retention?: RetentionPolicy
}

type Ready = Extract<FromWorker, { type: 'ready' }>
type Staged = Extract<FromWorker, { type: 'staged' }>
type Done = Extract<FromWorker, { type: 'done' }>

/** A chunk the worker refused (damaged on the way): the caller asks the server again. */
export class ChunkRejected extends Error {}

/**
 * The worker's script: built beside the main bundle (electron.vite.config.ts), or run from
 * the sources through tsx's require hook (tests, scripts: Node 20 gives a worker no loader
 * of its parent's).
 */
function workerScript(): { code: string; eval: boolean } {
  const built = join(__dirname, 'snapshotWorker.js')
  if (existsSync(built)) return { code: built, eval: false }
  const source = JSON.stringify(join(__dirname, 'snapshotWorker.ts'))
  return { code: `require('tsx/cjs/api').register(); require(${source})`, eval: true }
}

export interface SnapshotLoader {
  /** What is already staged (a resumed snapshot): its cursor, where to go on, the rows in. */
  ready: Promise<Ready>
  /** Replayed staged chunks, and each chunk taken, as they go into the cache. */
  onProgress(listener: (s: Staged) => void): void
  /** Give a chunk; resolves once it is staged and in the cache. @throws ChunkRejected */
  send(bytes: Uint8Array): Promise<Staged>
  /** No more chunks (the last one was sent, or the round stops): indexes built, the result. */
  finish(): Promise<Done>
}

export function startSnapshotLoader(cache: SnapshotCacheAccess, owner: string): SnapshotLoader {
  const channel = new MessageChannel()
  const signal = new Int32Array(new SharedArrayBuffer(4))
  const script = workerScript()
  const data: SnapshotWorkerData = {
    cacheFile: cache.file,
    key: cache.key,
    nativeBinding: cache.nativeBinding ?? null,
    owner,
    retention: cache.retention ?? null,
    port: channel.port2,
    signal,
  }
  const worker = new Worker(script.code, {
    eval: script.eval,
    workerData: data,
    transferList: [channel.port2],
  })
  const listeners: ((s: Staged) => void)[] = []
  let waiting: { resolve: (s: Staged) => void; reject: (e: Error) => void } | null = null
  let readyCb!: { resolve: (r: Ready) => void; reject: (e: Error) => void }
  let doneCb!: { resolve: (d: Done) => void; reject: (e: Error) => void }
  const ready = new Promise<Ready>((resolve, reject) => (readyCb = { resolve, reject }))
  const done = new Promise<Done>((resolve, reject) => (doneCb = { resolve, reject }))
  ready.catch(() => {})
  done.catch(() => {})
  const fail = (e: Error) => {
    readyCb.reject(e)
    doneCb.reject(e)
    waiting?.reject(e)
    waiting = null
  }
  worker.on('message', (m: FromWorker) => {
    if (m.type === 'ready') readyCb.resolve(m)
    else if (m.type === 'staged') {
      listeners.forEach((l) => l(m))
      if (!m.replayed) {
        waiting?.resolve(m)
        waiting = null
      }
    } else if (m.type === 'rejected') {
      waiting?.reject(new ChunkRejected(m.message))
      waiting = null
    } else if (m.type === 'done') doneCb.resolve(m)
    else fail(new Error(m.message))
  })
  worker.on('error', fail)
  worker.on('exit', () => fail(new Error('snapshot worker ended')))

  const post = (m: ToWorker, transfer: ArrayBuffer[] = []) => {
    channel.port1.postMessage(m, transfer)
    Atomics.add(signal, 0, 1)
    Atomics.notify(signal, 0)
  }
  let finished: Promise<Done> | null = null
  return {
    ready,
    onProgress: (listener) => void listeners.push(listener),
    send(bytes) {
      if (waiting) return Promise.reject(new Error('one chunk at a time'))
      // Its own buffer, handed over whole: no copy, and nothing else holds it.
      const own =
        bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice()
      return new Promise<Staged>((resolve, reject) => {
        waiting = { resolve, reject }
        post({ type: 'chunk', bytes: own }, [own.buffer as ArrayBuffer])
      })
    },
    finish() {
      finished ??= (async () => {
        post({ type: 'finish' })
        try {
          return await done
        } finally {
          channel.port1.close()
          await worker.terminate()
        }
      })()
      return finished
    },
  }
}
