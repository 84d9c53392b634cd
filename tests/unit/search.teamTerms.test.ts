/**
 * The words of a request scoped to its team (the search index's `team_words` and
 * `team_names`, cache/fts.ts): each word gets its team's code in front, exactly where a run
 * of letters, digits and marks begins, whatever the text holds.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { scopeWords, teamCode, teamTermsOf } from '../../src/main/cache/fts'

/** The definition the scan by character code must keep to. */
const byRegex = (text: string, code: string) => text.replace(/[\p{L}\p{N}\p{M}]+/gu, `${code}$&`)

describe('scoped words', () => {
  it('put the code before each word, as the definition by regex does, on any text', () => {
    const tricky = [...'aZ09 -’«»,.\'"éÉœ\u0301ﬁ½²ß𝐀🙂\u00a0\t\nłØ€_', '\ud800', '\udc00']
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.array(fc.constantFrom(...tricky)).map((a) => a.join('')),
        ),
        (text) => {
          expect(scopeWords(text, '#')).toBe(byRegex(text, '#'))
        },
      ),
      { numRuns: 2000 },
    )
    expect(scopeWords('Nid-de-poule, rue de l’École', '#')).toBe('#Nid-#de-#poule, #rue #de #l’#École')
  })

  it('make one fixed-length code per team', () => {
    const codes = ['voirie', 'eclairage', 'proprete', 'a'.repeat(64), 'équipe €'].map(teamCode)
    expect(new Set(codes).size).toBe(codes.length)
    for (const code of codes) expect(code).toMatch(/^\uE000[0-9a-f]{8}$/)
    expect(teamCode('voirie')).toBe(codes[0])
  })

  it('fold each text, keep them apart, and skip what is not text', () => {
    const code = teamCode('voirie')
    expect(teamTermsOf('voirie', ['Vandœuvre', null, '', 'ﬂeur'])).toBe(
      `${code}Vandoeuvre \uE001 ${code}fleur`,
    )
    expect(teamTermsOf('voirie', [null, 42])).toBeNull()
    expect(teamTermsOf('voirie', [])).toBeNull()
  })
})
