/**
 * JSON that carries what Electron's IPC carries, for the web bridge (dev:web, browser tests):
 * the big read channels answer typed arrays (map points travel as columns), which
 * `JSON.stringify` would turn into objects keyed "0", "1"… Each typed array is written as
 * `{ "$typedArray": "Float64Array", "base64": "…" }` and read back as the same array.
 * Both ends run on the same machine, so the bytes' order is the same.
 */
const TYPED_ARRAYS = {
  Float64Array,
  Float32Array,
  Int32Array,
  Uint32Array,
  Uint16Array,
  Uint8Array,
} as const
type TypedArrayName = keyof typeof TYPED_ARRAYS

/** A multiple of 3: each chunk encodes to whole base64 quads, so the pieces join without padding. */
const CHUNK = 3 * 0x2000

/**
 * Node's Buffer where there is one (the web bridge's end): Node's `btoa`/`atob` are kept for
 * old code and take seconds for a 10 MB photo. The renderer's are native and fast.
 */
interface NodeBuffer {
  from(data: ArrayBufferLike, offset: number, length: number): { toString(encoding: 'base64'): string }
  from(text: string, encoding: 'base64'): Uint8Array
}
const nodeBuffer = (globalThis as { Buffer?: NodeBuffer }).Buffer

function toBase64(bytes: Uint8Array): string {
  if (nodeBuffer) return nodeBuffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')
  // Chunk by chunk: the pieces join without padding (CHUNK is a multiple of 3).
  const parts: string[] = []
  for (let at = 0; at < bytes.length; at += CHUNK)
    parts.push(btoa(String.fromCharCode(...bytes.subarray(at, at + CHUNK))))
  return parts.join('')
}

function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  if (nodeBuffer) {
    // A copy of its own: a small Buffer shares Node's pool, and the typed array made from it
    // must start at byte 0 of its own ArrayBuffer.
    const decoded = nodeBuffer.from(text, 'base64')
    const bytes = new Uint8Array(decoded.byteLength)
    bytes.set(decoded)
    return bytes
  }
  const binary = atob(text)
  const bytes = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
  return bytes
}

const isTypedArrayName = (name: unknown): name is TypedArrayName =>
  typeof name === 'string' && Object.hasOwn(TYPED_ARRAYS, name)

/** `JSON.stringify(value, wireReplacer)`: typed arrays as tagged base64. */
export function wireReplacer(_key: string, value: unknown): unknown {
  if (!ArrayBuffer.isView(value) || value instanceof DataView) return value
  const name = value.constructor.name
  if (!isTypedArrayName(name)) return value
  return {
    $typedArray: name,
    base64: toBase64(new Uint8Array(value.buffer, value.byteOffset, value.byteLength)),
  }
}

/** `JSON.parse(text, wireReviver)`: the tagged base64 back into typed arrays. */
export function wireReviver(_key: string, value: unknown): unknown {
  if (typeof value !== 'object' || value === null || !('$typedArray' in value) || !('base64' in value))
    return value
  const { $typedArray: name, base64 } = value
  if (!isTypedArrayName(name) || typeof base64 !== 'string') return value
  const bytes = fromBase64(base64)
  const Type = TYPED_ARRAYS[name]
  if (bytes.byteLength % Type.BYTES_PER_ELEMENT !== 0) return value
  return new Type(bytes.buffer)
}
