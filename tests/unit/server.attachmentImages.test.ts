/**
 * What the server keeps of a file (src/server/attachments/images.ts): each image format
 * stays itself, re-encoded without metadata, with a JPEG thumbnail; a PDF is kept byte for
 * byte; the configured types are the only ones accepted; an image claiming more pixels
 * than MAX_INPUT_PIXELS (a decompression bomb) is refused before it is decoded.
 */
import { deflateSync, crc32 } from 'node:zlib'
import exifr from 'exifr'
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { ATTACHMENT_TYPES, THUMBNAIL_EDGE } from '../../src/shared/attachments'
import { MAX_INPUT_PIXELS, prepareFile, UnsupportedFile } from '../../src/server/attachments/images'

const ALL = [...ATTACHMENT_TYPES]

/** A PNG chunk: length, type, data, CRC of type and data. */
function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4)
  length.writeUInt32BE(data.length)
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data])
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(body))
  return Buffer.concat([length, body, crc])
}

/** A file whose header claims `width` × `height` grey pixels, with `rows` rows of data. */
function claimedPng(width: number, height: number, rows = height): Buffer {
  const header = Buffer.alloc(13)
  header.writeUInt32BE(width, 0)
  header.writeUInt32BE(height, 4)
  header.set([8, 0, 0, 0, 0], 8) // 8-bit greyscale
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.alloc((width + 1) * rows))),
    chunk('IEND', Buffer.alloc(0)),
  ])
}

describe('prepareFile', () => {
  it('keeps a PNG a PNG and a WebP a WebP, without metadata, with a JPEG thumbnail', async () => {
    const png = await sharp({
      create: { width: 900, height: 300, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } },
    })
      .png()
      .withExif({ IFD0: { Make: 'CanonTest' } })
      .toBuffer()
    const storedPng = await prepareFile(png, ALL)
    expect(storedPng).toMatchObject({ mime: 'image/png', width: 900, height: 300 })
    expect((await sharp(storedPng.bytes).metadata()).format).toBe('png')
    expect(((await exifr.parse(png)) as { Make?: string }).Make).toBe('CanonTest')
    expect(((await exifr.parse(storedPng.bytes)) as { Make?: string } | undefined)?.Make).toBeUndefined()
    expect(storedPng.bytes.includes(Buffer.from('CanonTest'))).toBe(false)
    const thumb = await sharp(storedPng.thumbnail!).metadata()
    expect([thumb.format, thumb.width, thumb.height]).toEqual(['jpeg', THUMBNAIL_EDGE, 107])

    const webp = await sharp({ create: { width: 200, height: 100, channels: 3, background: '#888' } })
      .webp()
      .toBuffer()
    const storedWebp = await prepareFile(webp, ALL)
    expect(storedWebp.mime).toBe('image/webp')
    expect((await sharp(storedWebp.bytes).metadata()).format).toBe('webp')
    // Never enlarged.
    expect((await sharp(storedWebp.thumbnail!).metadata()).width).toBe(200)
  })

  it('keeps a PDF byte for byte, without a thumbnail', async () => {
    const pdf = Buffer.from('%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n')
    expect(await prepareFile(pdf, ALL)).toEqual({
      mime: 'application/pdf',
      bytes: pdf,
      width: null,
      height: null,
      thumbnail: null,
    })
  })

  it('accepts only the configured types', async () => {
    const png = await sharp({ create: { width: 10, height: 10, channels: 3, background: '#000' } })
      .png()
      .toBuffer()
    await expect(prepareFile(png, ['image/jpeg', 'application/pdf'])).rejects.toThrow(/JPEG, PDF/)
  })

  it('refuses an image claiming more pixels than the limit, before decoding it', async () => {
    const side = Math.ceil(Math.sqrt(MAX_INPUT_PIXELS)) + 1
    const bomb = claimedPng(side, side, 1)
    expect(bomb.length).toBeLessThan(64 * 1024)
    await expect(prepareFile(bomb, ALL)).rejects.toBeInstanceOf(UnsupportedFile)
    // The same construction under the limit decodes: the refusal is the pixel count's.
    expect((await prepareFile(claimedPng(64, 64), ALL)).width).toBe(64)
  })
})
