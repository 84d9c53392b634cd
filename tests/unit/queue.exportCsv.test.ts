/**
 * The cells of the queue export: what French Excel would run as a formula is made inert, and
 * a cell holding the separator, a quote or a line break stays one cell.
 */
import { describe, expect, it } from 'vitest'
import { csvCell, csvLine } from '../../src/shared/csv'

describe('a cell of the queue export', () => {
  it('prefixes with an apostrophe what a spreadsheet would run as a formula', () => {
    for (const start of ['=', '+', '-', '@', '\t', '\r'])
      expect(csvCell(`${start}1+1`).replace(/^"|"$/g, '')).toBe(`'${start}1+1`)
    expect(csvCell('Rue de la Paix')).toBe('Rue de la Paix')
    expect(csvCell('Lampadaire -3 m')).toBe('Lampadaire -3 m')
  })

  it('quotes the separator, quotes and line breaks, doubling the quotes', () => {
    expect(csvCell('Place "Stanislas"; Nancy')).toBe('"Place ""Stanislas""; Nancy"')
    expect(csvCell('deux\nlignes')).toBe('"deux\nlignes"')
    expect(csvCell('\rx')).toBe(`"'\rx"`)
  })

  it('leaves an absent value empty and ends each line with CRLF', () => {
    expect(csvLine(['GRC-1', null, '=A1'])).toBe("GRC-1;;'=A1\r\n")
  })
})
