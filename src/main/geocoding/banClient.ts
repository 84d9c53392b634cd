/**
 * Address search and reverse geocoding through the configured BAN-format geocoder
 * (`geocoding.url`), done here in the main process: the renderer's CSP allows no such origin.
 * Never throws: an unreachable, slow or malformed geocoder is an answer with a `problem`,
 * and the agent picks the point on the map instead. The searched text is never logged.
 */
import type { AddressCandidate, GeocodingProblem } from '../../shared/channels/intake'
import type { Point } from '../../shared/domain'
import { banReverseUrl, banSearchUrl, GeocoderFormatError, parseBanAnswer } from '../../core/geocoding/ban'

/** A geocoder answer bigger than this is not an address list. */
const MAX_ANSWER_BYTES = 512 * 1024
/** Addresses offered for one search. */
export const SEARCH_LIMIT = 8

export interface GeocoderOptions {
  url: string
  timeoutMs: number
  fetch?: typeof fetch
}

export type GeocoderAnswer =
  { candidates: AddressCandidate[]; problem: null } | { candidates: []; problem: GeocodingProblem }

export interface Geocoder {
  search(q: string, near: Point | null): Promise<GeocoderAnswer>
  reverse(point: Point): Promise<GeocoderAnswer>
}

async function readCapped(response: Response): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? '0')
  if (declared > MAX_ANSWER_BYTES) throw new GeocoderFormatError('answer too large')
  const text = await response.text()
  if (text.length > MAX_ANSWER_BYTES) throw new GeocoderFormatError('answer too large')
  return text
}

export function createGeocoder(options: GeocoderOptions): Geocoder {
  const doFetch = options.fetch ?? fetch

  async function ask(url: string): Promise<GeocoderAnswer> {
    const controller = new AbortController()
    const timer = setTimeout(() => controller.abort(), options.timeoutMs)
    try {
      const response = await doFetch(url, {
        signal: controller.signal,
        headers: { accept: 'application/json' },
        redirect: 'error',
      })
      if (!response.ok) return { candidates: [], problem: 'unreachable' }
      const text = await readCapped(response)
      let body: unknown
      try {
        body = JSON.parse(text)
      } catch {
        return { candidates: [], problem: 'malformed' }
      }
      return { candidates: parseBanAnswer(body), problem: null }
    } catch (e) {
      if (e instanceof GeocoderFormatError) return { candidates: [], problem: 'malformed' }
      if (controller.signal.aborted) return { candidates: [], problem: 'timeout' }
      return { candidates: [], problem: 'unreachable' }
    } finally {
      clearTimeout(timer)
    }
  }

  return {
    search: (q, near) => ask(banSearchUrl(options.url, q, SEARCH_LIMIT, near)),
    reverse: (point) => ask(banReverseUrl(options.url, point)),
  }
}
