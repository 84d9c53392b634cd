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

const CHUNK = 0x8000

function toBase64(bytes: Uint8Array): string {
  let binary = ''
  for (let at = 0; at < bytes.length; at += CHUNK)
    binary += String.fromCharCode(...bytes.subarray(at, at + CHUNK))
  return btoa(binary)
}

function fromBase64(text: string): Uint8Array<ArrayBuffer> {
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
