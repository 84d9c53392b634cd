/**
 * A photo as a phone takes it, made with sharp: its GPS position (Nancy) and camera in the
 * EXIF metadata, and optionally stored sideways (EXIF orientation 6), so a test can check
 * what the server strips and turns upright.
 */
import sharp from 'sharp'

export const PHOTO_CAMERA = 'CanonTest'

export function phonePhoto(
  options: { width?: number; height?: number; colour?: string; orientation?: number } = {},
): Promise<Buffer> {
  const { width = 640, height = 480, colour = '#3366aa', orientation = 1 } = options
  return sharp({ create: { width, height, channels: 3, background: colour } })
    .jpeg()
    .withMetadata({ orientation })
    .withExifMerge({
      IFD0: { Make: PHOTO_CAMERA, Model: 'EOS Quintavalle' },
      IFD3: {
        GPSLatitudeRef: 'N',
        GPSLatitude: '48/1 41/1 2/1',
        GPSLongitudeRef: 'E',
        GPSLongitude: '6/1 11/1 3/1',
      },
    })
    .toBuffer()
}
