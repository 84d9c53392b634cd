/**
 * The web bridge's JSON carries the typed arrays Electron's IPC carries (map points travel as
 * columns): each comes back as the same kind of array with the same values, a view into a
 * larger buffer included; anything else is plain JSON, and a look-alike that is not a typed
 * array stays what it was.
 */
import { describe, expect, it } from 'vitest'
import { wireReplacer, wireReviver } from '../../src/shared/wireJson'

const roundTrip = (value: unknown) => JSON.parse(JSON.stringify(value, wireReplacer), wireReviver) as unknown

describe('the web bridge’s JSON', () => {
  it('brings typed arrays back as themselves, nested anywhere', () => {
    const value = {
      ok: true,
      value: {
        lon: Float64Array.from([6.18, -0.5, 1e-9]),
        status: Uint8Array.from([0, 255, 3]),
        category: Uint16Array.from([0, 65_535]),
        ids: 'a\nb',
        list: [Int32Array.from([-1, 7])],
      },
    }
    const back = roundTrip(value) as typeof value
    expect(back.value.lon).toBeInstanceOf(Float64Array)
    expect([...back.value.lon]).toEqual([6.18, -0.5, 1e-9])
    expect(back.value.status).toBeInstanceOf(Uint8Array)
    expect([...back.value.status]).toEqual([0, 255, 3])
    expect([...back.value.category]).toEqual([0, 65_535])
    expect([...back.value.list[0]!]).toEqual([-1, 7])
    expect(back.value.ids).toBe('a\nb')
  })

  it('sends only the viewed part of a larger buffer', () => {
    const whole = Float64Array.from([1, 2, 3, 4, 5])
    const back = roundTrip({ part: whole.subarray(1, 3) }) as { part: Float64Array }
    expect([...back.part]).toEqual([2, 3])
  })

  it('leaves plain JSON and look-alikes alone', () => {
    const plain = { a: [1, 2], b: 'x', c: null, d: { $typedArray: 'Function', base64: 'AAAA' } }
    expect(roundTrip(plain)).toEqual(plain)
    const odd = { $typedArray: 'Float64Array', base64: 'AAA=' }
    expect(roundTrip({ odd })).toEqual({ odd })
  })
})
