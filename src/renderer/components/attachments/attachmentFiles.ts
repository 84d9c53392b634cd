/**
 * What the screen can tell about a file before sending it (issue 14): its type as the browser
 * or its extension says, whether it fits the core's limits, its size in words, and the name a
 * pasted screenshot gets. The core sniffs the bytes and decides anyway: these checks only spare
 * the agent a useless upload and give the reason at once.
 */
import type { AttachmentType } from '../../../shared/attachments'
import type { RequestAttachments } from '../../../shared/channels/attachments'

export type AttachmentLimits = RequestAttachments['limits']

/** The extensions of the accepted types, for a file whose type the system does not say. */
const EXTENSIONS: Record<string, AttachmentType> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  pdf: 'application/pdf',
}

const EXTENSION_OF: Record<AttachmentType, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/webp': 'webp',
  'application/pdf': 'pdf',
}

/** The type a picked file claims (its MIME type, else its extension); null when neither says. */
export function claimedType(file: Pick<File, 'name' | 'type'>): string | null {
  if (file.type) return file.type.toLowerCase()
  const extension = /\.([a-z0-9]+)$/i.exec(file.name)?.[1]?.toLowerCase()
  return (extension && EXTENSIONS[extension]) || null
}

/** Why the screen will not send a file, before reading it. */
export type FileRefusal =
  | { code: 'empty' }
  | { code: 'too_large'; size: number; maxBytes: number }
  | { code: 'type'; types: readonly AttachmentType[] }

/** Whether a file can be sent as far as the screen knows (null), or why not. */
export function checkFile(
  file: Pick<File, 'name' | 'type' | 'size'>,
  limits: AttachmentLimits,
): FileRefusal | null {
  if (file.size === 0) return { code: 'empty' }
  const type = claimedType(file)
  if (!type || !(limits.types as readonly string[]).includes(type))
    return { code: 'type', types: limits.types }
  if (file.size > limits.maxBytes) return { code: 'too_large', size: file.size, maxBytes: limits.maxBytes }
  return null
}

/** The file picker's `accept`: the types and their extensions (some systems filter on the latter). */
export function acceptOf(types: readonly AttachmentType[]): string {
  const extensions = Object.entries(EXTENSIONS)
    .filter(([, type]) => types.includes(type))
    .map(([extension]) => `.${extension}`)
  return [...types, ...extensions].join(',')
}

/** The types in words for a message (« JPEG, PNG, PDF »). */
export const typeNames = (types: readonly AttachmentType[]): string =>
  [...new Set(types.map((type) => EXTENSION_OF[type].toUpperCase()))].join(', ')

/** A size as a French or English reader expects it: « 830 octets », « 12 Ko », « 1,2 Mo ». */
export function sizeParts(bytes: number): { unit: 'bytes' | 'kb' | 'mb'; n: number } {
  if (bytes < 1024) return { unit: 'bytes', n: bytes }
  if (bytes < 1024 * 1024) return { unit: 'kb', n: Math.round(bytes / 1024) }
  return { unit: 'mb', n: Math.round((bytes / (1024 * 1024)) * 10) / 10 }
}

const two = (n: number) => String(n).padStart(2, '0')

/**
 * The name of a pasted screenshot (the clipboard names it « image.png », or nothing): the
 * local date and minute, so several pasted images read apart (« capture-2026-12-05-1432.png »).
 */
export function screenshotName(at: Date, type: string, index = 0): string {
  const extension = EXTENSION_OF[type as AttachmentType] ?? 'png'
  const stamp = `${at.getFullYear()}-${two(at.getMonth() + 1)}-${two(at.getDate())}-${two(at.getHours())}${two(at.getMinutes())}`
  return `capture-${stamp}${index > 0 ? `-${index + 1}` : ''}.${extension}`
}

/** The image files of a paste (screenshots), renamed; other files and text are left to the page. */
export function pastedImages(data: DataTransfer | null, at: Date): File[] {
  const images = [...(data?.files ?? [])].filter((file) => file.type.startsWith('image/'))
  return images.map(
    (file, index) => new File([file], screenshotName(at, file.type, index), { type: file.type }),
  )
}
