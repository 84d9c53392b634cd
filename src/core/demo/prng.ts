/**
 * A small seeded pseudo-random generator (sfc32): the same seed gives the same demo
 * data on every machine, which tests and screenshots rely on. Not for anything secret.
 */
export interface Prng {
  /** A float in [0, 1). */
  next(): number
  /** An integer in [min, max] (inclusive). */
  int(min: number, max: number): number
  chance(p: number): boolean
  pick<T>(items: readonly T[]): T
  /** One of `items`, each drawn in proportion to its weight. */
  weighted<T>(items: readonly (readonly [T, number])[]): T
  /** An RFC 4122 version-4-shaped id. */
  uuid(): string
  /** A version-7-shaped id: time-ordered (its first 48 bits are `ms`), as modern servers issue them. */
  uuidV7(ms: number): string
}

export function createPrng(seed: number): Prng {
  // Seed expansion as the sfc32 authors suggest: a few rounds discarded.
  let a = 0x9e3779b9 ^ seed
  let b = 0x243f6a88 ^ Math.imul(seed, 0x85ebca6b)
  let c = 0xb7e15162 ^ Math.imul(seed, 0xc2b2ae35)
  let d = 1
  const u32 = (): number => {
    a |= 0
    b |= 0
    c |= 0
    d |= 0
    const t = (((a + b) | 0) + d) | 0
    d = (d + 1) | 0
    a = b ^ (b >>> 9)
    b = (c + (c << 3)) | 0
    c = (c << 21) | (c >>> 11)
    c = (c + t) | 0
    return t >>> 0
  }
  for (let i = 0; i < 15; i++) u32()

  const next = () => u32() / 4294967296
  const hex = (n: number) => u32().toString(16).padStart(8, '0').slice(0, n)
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    chance: (p) => next() < p,
    pick<T>(items: readonly T[]): T {
      const item = items[Math.floor(next() * items.length)]
      if (item === undefined) throw new Error('pick from an empty list')
      return item
    },
    weighted<T>(items: readonly (readonly [T, number])[]): T {
      const total = items.reduce((s, [, w]) => s + w, 0)
      let r = next() * total
      for (const [item, w] of items) {
        r -= w
        if (r < 0) return item
      }
      const last = items.at(-1)
      if (!last) throw new Error('weighted pick from an empty list')
      return last[0]
    },
    uuid: () =>
      `${hex(8)}-${hex(4)}-4${hex(3)}-${((u32() & 0x3) | 0x8).toString(16)}${hex(3)}-${hex(8)}${hex(4)}`,
    uuidV7: (ms: number) => {
      const t = Math.max(0, Math.trunc(ms)).toString(16).padStart(12, '0').slice(-12)
      return `${t.slice(0, 8)}-${t.slice(8)}-7${hex(3)}-${((u32() & 0x3) | 0x8).toString(16)}${hex(3)}-${hex(8)}${hex(4)}`
    },
  }
}
