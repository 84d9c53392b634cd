/**
 * The tag rules (src/shared/tags.ts, src/core/requests/tags.ts): what an agent types is
 * trimmed and checked, compared case-folded but kept as typed, and a change is a set
 * operation on the tags the request has when it is applied.
 */
import { describe, expect, it } from 'vitest'
import { CoreError } from '../../src/shared/result'
import { distinctTags, Tag, TAG_LIMITS, TagChange, tagKey } from '../../src/shared/tags'
import { applyTagChange, redactTags } from '../../src/core/requests/tags'

describe('a tag as typed', () => {
  it('is trimmed, and refused empty, too long or with control characters, with words', () => {
    expect(Tag.parse('  hiver 2026 ')).toBe('hiver 2026')
    const refused = (raw: string) => {
      const r = Tag.safeParse(raw)
      return r.success ? null : r.error.issues[0]!.message
    }
    expect(refused('   ')).toMatch(/vide/)
    expect(refused('x'.repeat(TAG_LIMITS.length + 1))).toMatch(/40 caractères/)
    expect(refused('x'.repeat(TAG_LIMITS.length))).toBeNull()
    expect(refused('presse\u0007')).toMatch(/contrôle/)
    expect(refused('élu\u200b')).toBeNull()
  })

  it('compares case-folded, accents included, and keeps the first spelling', () => {
    expect(tagKey('Élu')).toBe(tagKey('élu'))
    expect(tagKey('PRESSE')).toBe('presse')
    expect(tagKey('élu')).not.toBe(tagKey('elu'))
    expect(distinctTags(['Presse', 'presse ', 'élu', 'ÉLU', 'hiver 2026'])).toEqual([
      'Presse',
      'élu',
      'hiver 2026',
    ])
  })

  it('a change must add or remove something', () => {
    expect(TagChange.safeParse({ add: [], remove: [] }).success).toBe(false)
    expect(TagChange.parse({ add: ['presse'] })).toEqual({ add: ['presse'], remove: [] })
  })
})

describe('a change to the tags of a request', () => {
  it('adds and removes by key, on the tags the request has then, saying what really changed', () => {
    expect(applyTagChange(['presse', 'Élu'], { add: ['hiver 2026', 'PRESSE'], remove: ['élu'] })).toEqual({
      tags: ['presse', 'hiver 2026'],
      added: ['hiver 2026'],
      removed: ['Élu'],
    })
  })

  it('two changes made on the same tags both count, in either order', () => {
    const a = { add: ['presse'], remove: [] }
    const b = { add: ['élu'], remove: [] }
    const ab = applyTagChange(applyTagChange([], a).tags, b).tags
    const ba = applyTagChange(applyTagChange([], b).tags, a).tags
    expect(new Set(ab)).toEqual(new Set(['presse', 'élu']))
    expect(new Set(ba)).toEqual(new Set(ab))
  })

  it('removing a tag the request does not carry, or adding one it does, changes nothing', () => {
    expect(applyTagChange(['presse'], { add: ['Presse'], remove: ['élu'] })).toEqual({
      tags: ['presse'],
      added: [],
      removed: [],
    })
  })

  it('a tag both added and removed is added', () => {
    expect(applyTagChange([], { add: ['presse'], remove: ['presse'] }).tags).toEqual(['presse'])
  })

  it(`refuses more than ${TAG_LIMITS.perRequest} tags on one request, with words`, () => {
    const full = Array.from({ length: TAG_LIMITS.perRequest }, (_, i) => `t${i}`)
    expect(applyTagChange(full.slice(1), { add: ['un de plus'], remove: [] }).tags).toHaveLength(
      TAG_LIMITS.perRequest,
    )
    let error: unknown
    try {
      applyTagChange(full, { add: ['un de trop'], remove: [] })
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(CoreError)
    expect((error as CoreError).code).toBe('invalid_input')
    expect((error as CoreError).message).toMatch(/au plus 20 étiquettes/)
    // Swapping one for another at the limit is fine.
    expect(applyTagChange(full, { add: ['autre'], remove: ['t0'] }).tags).toContain('autre')
  })
})

describe('tags after an erasure', () => {
  it('stay tags: redacted, cut to their length, empty ones dropped, repeats merged', () => {
    const redact = (t: string) => t.replace(/Quintavalle/g, '[usager effacé, données retirées le 05/12/2026]')
    const out = redactTags(['rappeler Quintavalle', 'Quintavalle', 'presse', 'Presse'], redact)
    expect(out[0]).toHaveLength(TAG_LIMITS.length)
    expect(out[0]).toMatch(/^rappeler \[usager effacé/)
    expect(out.every((t) => Tag.safeParse(t).success)).toBe(true)
    expect(out).toContain('presse')
    expect(out.filter((t) => tagKey(t) === 'presse')).toHaveLength(1)
    expect(redactTags(['Quintavalle'], () => '   ')).toEqual([])
  })
})
