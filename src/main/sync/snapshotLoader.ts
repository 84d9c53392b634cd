/**
 * The main process's side of the first download's two threads: the unpacker
 * (snapshotUnpacker.ts), which unpacks and validates each chunk, and the snapshot worker
 * (snapshotWorker.ts), which writes them into the cache. It hands the unpacker each chunk's
 * bytes (transferred, not copied) and hears back what was accepted and what was kept.
 * Nothing here parses or writes: the event loop only moves bytes.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads'
import type { RetentionPolicy } from '../../shared/privacy'
import type { FromUnpacker, SnapshotUnpackerData, ToUnpacker } from './snapshotUnpacker'
import type { FromWorker, SnapshotWorkerData } from './snapshotWorker'

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
type Accepted = Extract<FromUnpacker, { type: 'accepted' }>

/** A chunk the unpacker refused (damaged on the way): the caller asks the server again. */
export class ChunkRejected extends Error {}

/**
 * A thread's script: built beside the main bundle (electron.vite.config.ts), or run from
 * the sources through tsx's require hook (tests, scripts: Node 20 gives a worker no loader
 * of its parent's).
 */
function threadScript(name: 'snapshotWorker' | 'snapshotUnpacker'): { code: string; eval: boolean } {
  const built = join(__dirname, `${name}.js`)
  if (existsSync(built)) return { code: built, eval: false }
  const source = JSON.stringify(join(__dirname, `${name}.ts`))
  return { code: `require('tsx/cjs/api').register(); require(${source})`, eval: true }
}

function startThread<T>(name: 'snapshotWorker' | 'snapshotUnpacker', data: T, port: MessagePort): Worker {
  const script = threadScript(name)
  return new Worker(script.code, { eval: script.eval, workerData: data, transferList: [port] })
}

export interface SnapshotLoader {
  /** What is already staged (a resumed snapshot): its cursor, where to go on, the rows in. */
  ready: Promise<Ready>
  /** Replayed staged chunks, and each chunk taken, as they go into the cache. */
  onProgress(listener: (s: Staged) => void): void
  /**
   * Give a chunk; resolves once it is accepted (unpacked and valid) and the worker has at
   * most this one left to write, so the next is unpacked while this one is written.
   * @throws ChunkRejected
   */
  send(bytes: Uint8Array): Promise<Accepted>
  /** No more chunks (the last one was sent, or the round stops): indexes built, the result. */
  finish(): Promise<Done>
}

export function startSnapshotLoader(cache: SnapshotCacheAccess, owner: string): SnapshotLoader {
  // The unpacker talks to the worker directly: chunks go from one thread to the other.
  const channel = new MessageChannel()
  const signal = new Int32Array(new SharedArrayBuffer(4))
  const workerData: SnapshotWorkerData = {
    cacheFile: cache.file,
    key: cache.key,
    nativeBinding: cache.nativeBinding ?? null,
    owner,
    retention: cache.retention ?? null,
    port: channel.port2,
    signal,
  }
  const unpackerData: SnapshotUnpackerData = { port: channel.port1, signal }
  const worker = startThread('snapshotWorker', workerData, channel.port2)
  const unpacker = startThread('snapshotUnpacker', unpackerData, channel.port1)

  const listeners: ((s: Staged) => void)[] = []
  let waiting: { resolve: (a: Accepted) => void; reject: (e: Error) => void; accepted?: Accepted } | null =
    null
  /** Chunks accepted that the worker has not yet said are in the cache. */
  let unwritten = 0
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
  /** The chunk waiting is let go once accepted and the worker has at most it left to write. */
  const release = () => {
    if (waiting?.accepted && unwritten <= 1) {
      waiting.resolve(waiting.accepted)
      waiting = null
    }
  }
  worker.on('message', (m: FromWorker) => {
    if (m.type === 'ready') readyCb.resolve(m)
    else if (m.type === 'staged') {
      listeners.forEach((l) => l(m))
      if (!m.replayed) {
        unwritten--
        release()
      }
    } else if (m.type === 'done') doneCb.resolve(m)
    else fail(new Error(m.message))
  })
  unpacker.on('message', (m: FromUnpacker) => {
    if (m.type === 'accepted') {
      unwritten++
      if (waiting) waiting.accepted = m
      release()
    } else if (m.type === 'rejected') {
      waiting?.reject(new ChunkRejected(m.message))
      waiting = null
    } else fail(new Error(m.message))
  })
  for (const thread of [worker, unpacker]) {
    thread.on('error', fail)
    thread.on('exit', () => fail(new Error('snapshot thread ended')))
  }

  let finished: Promise<Done> | null = null
  const post = (m: ToUnpacker, transfer: ArrayBuffer[] = []) => unpacker.postMessage(m, transfer)
  return {
    ready,
    onProgress: (listener) => void listeners.push(listener),
    send(bytes) {
      if (waiting) return Promise.reject(new Error('one chunk at a time'))
      // Its own buffer, handed over whole: no copy, and nothing else holds it.
      const own =
        bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice()
      return new Promise<Accepted>((resolve, reject) => {
        waiting = { resolve, reject }
        post({ type: 'chunk', bytes: own }, [own.buffer as ArrayBuffer])
      })
    },
    finish() {
      finished ??= (async () => {
        // Through the unpacker: the worker hears it after every chunk sent before it.
        post({ type: 'finish' })
        try {
          return await done
        } finally {
          await Promise.all([unpacker.terminate(), worker.terminate()])
        }
      })()
      return finished
    },
  }
}
