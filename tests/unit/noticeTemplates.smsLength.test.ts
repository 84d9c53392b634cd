/**
 * How long an SMS is, as operators count it (issue 14's template editor): GSM-7 septets,
 * two for the extension table's characters, UCS-2 as soon as one character is outside the
 * GSM alphabet; 160/70 units for one message, 153/67 per part once it is split.
 */
import { describe, expect, it } from 'vitest'
import { smsLength } from '../../src/shared/noticeTemplates'

describe('smsLength', () => {
  it('counts GSM-7 septets, the extension table twice, up to 160 in one message', () => {
    expect(smsLength('')).toMatchObject({ encoding: 'gsm7', units: 0, segments: 0 })
    expect(smsLength('Demande traitée à 9 h, voir Ç')).toMatchObject({
      encoding: 'gsm7',
      units: 29,
      segments: 1,
    })
    expect(smsLength('5 € [a]')).toMatchObject({ encoding: 'gsm7', units: 10 })
    expect(smsLength('a'.repeat(160))).toMatchObject({ segments: 1, single: 160 })
    expect(smsLength('a'.repeat(161))).toMatchObject({ segments: 2, perSegment: 153 })
    expect(smsLength('a'.repeat(306))).toMatchObject({ segments: 2 })
    expect(smsLength('a'.repeat(307))).toMatchObject({ segments: 3 })
    // A character of the extension table does not fit in the last septet.
    expect(smsLength(`${'a'.repeat(159)}€`)).toMatchObject({ units: 161, segments: 2 })
  })

  it('switches the whole message to UCS-2 for one character outside the alphabet, and says which', () => {
    // French letters GSM lacks: « ê », « œ », « ’ ».
    const text = `Votre demande est prête ${'x'.repeat(40)}`
    expect(smsLength(text)).toMatchObject({
      encoding: 'ucs2',
      units: text.length,
      segments: 1,
      single: 70,
      wideCharacters: ['ê'],
    })
    expect(smsLength('x'.repeat(70) + 'œ')).toMatchObject({ segments: 2, perSegment: 67 })
    expect(smsLength('l’usager')).toMatchObject({ encoding: 'ucs2', wideCharacters: ['’'] })
  })
})
