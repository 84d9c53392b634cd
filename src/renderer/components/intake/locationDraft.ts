/** The location part of the intake form: the address line and the point, with where each came from. */
import type { Point } from '../../../shared/domain'

export interface LocationDraft {
  /** The address as it will be saved (chosen from the geocoder, or typed). */
  address: string
  point: Point | null
  /** What the point is, in words, once known (an address, a commune). */
  placeNote: string
}

export const emptyLocationDraft = (): LocationDraft => ({ address: '', point: null, placeNote: '' })
