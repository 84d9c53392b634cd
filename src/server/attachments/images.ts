/**
 * What the server keeps of a file it is given: the type sniffed from the bytes (never the
 * declared one), images decoded and re-encoded by sharp (turned upright from their EXIF
 * orientation, then written without any metadata: no GPS position, no camera, no comment)
 * with a JPEG thumbnail, PDFs as they are. A file that is not an accepted type, or an image
 * that does not decode, is refused with a message an agent can read.
 */
import sharp from 'sharp'
import {
  isImageType,
  sniffAttachmentType,
  THUMBNAIL_EDGE,
  type AttachmentType,
} from '../../shared/attachments'

/**
 * Pixels an image may have before it is decoded (sharp's `limitInputPixels`): a 10 MB file
 * can claim gigapixels (a decompression bomb). 100 MP is more than any phone takes.
 */
export const MAX_INPUT_PIXELS = 100_000_000

export interface StoredFile {
  mime: AttachmentType
  bytes: Buffer
  width: number | null
  height: number | null
  /** A JPEG of at most THUMBNAIL_EDGE px (images only). */
  thumbnail: Buffer | null
}

export class UnsupportedFile extends Error {
  readonly code = 'unsupported_type'
}

const TYPE_NAMES: Record<AttachmentType, string> = {
  'image/jpeg': 'JPEG',
  'image/png': 'PNG',
  'image/webp': 'WebP',
  'application/pdf': 'PDF',
}

export const acceptedTypesText = (types: readonly AttachmentType[]) =>
  types.map((t) => TYPE_NAMES[t]).join(', ')

/** The file as the server stores it; UnsupportedFile when it may not be kept. */
export async function prepareFile(input: Buffer, accepted: readonly AttachmentType[]): Promise<StoredFile> {
  const mime = sniffAttachmentType(input)
  if (!mime || !accepted.includes(mime))
    throw new UnsupportedFile(
      `Ce fichier n’est pas d’un type accepté (${acceptedTypesText(accepted)}) : son contenu a été vérifié, pas son nom.`,
    )
  if (!isImageType(mime)) return { mime, bytes: input, width: null, height: null, thumbnail: null }
  try {
    // Upright first, then re-encoded in its own format; sharp writes no metadata unless asked.
    const upright = sharp(input, { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'error' }).autoOrient()
    const encoded =
      mime === 'image/jpeg'
        ? upright.jpeg({ quality: 85, mozjpeg: true })
        : mime === 'image/png'
          ? upright.png({ compressionLevel: 9 })
          : upright.webp({ quality: 85 })
    const { data, info } = await encoded.toBuffer({ resolveWithObject: true })
    const thumbnail = await sharp(data, { limitInputPixels: MAX_INPUT_PIXELS })
      .resize(THUMBNAIL_EDGE, THUMBNAIL_EDGE, { fit: 'inside', withoutEnlargement: true })
      // A transparent PNG or WebP gets a white background: JPEG has no transparency.
      .flatten({ background: '#ffffff' })
      .jpeg({ quality: 80 })
      .toBuffer()
    return { mime, bytes: data, width: info.width, height: info.height, thumbnail }
  } catch {
    throw new UnsupportedFile(
      'Cette image ne peut pas être lue (fichier abîmé, tronqué ou trop grand en pixels) : elle n’a pas été ajoutée.',
    )
  }
}
