/**
 * Citizens' identities as text: folded for the DPO's search (accents, case, punctuation),
 * phone numbers whatever their spelling, and redacted from free text on erasure: the full
 * name in both orders, the surname alone, the e-mail, the phone in any spacing and the
 * postal address, accent- and case-insensitively, and nothing else.
 */
import { describe, expect, it } from 'vitest'
import {
  citizenRedactor,
  editDistance,
  foldLetters,
  normalizeForSearch,
  phoneKey,
  redactJson,
  redactText,
  REDACTED,
  similarity,
  stripFreeText,
  trigrams,
  wordMatches,
} from '../../src/core/privacy/text'

const ELOISE = {
  name: 'Éloïse Quintavalle',
  email: 'eloise.quintavalle@example.org',
  phone: '+33 6 12 34 56 78',
  postalAddress: '12 rue des Lilas, 54000 Nancy',
}
const redactor = citizenRedactor(ELOISE)
const redact = (t: string) => redactText(t, redactor)
const X = REDACTED

describe('folding for search', () => {
  it('drops accents, case, ligatures and punctuation', () => {
    expect(normalizeForSearch('Éloïse  QUINTAVALLE-d’Œuf')).toBe('eloise quintavalle d oeuf')
    expect(normalizeForSearch('E\u0301loi\u0308se')).toBe('eloise')
    expect(normalizeForSearch('Lætitia Straße')).toBe('laetitia strasse')
    expect(normalizeForSearch('  ,;  ')).toBe('')
  })

  it('makes padded trigrams of each word, once each', () => {
    expect(trigrams('Léa')).toEqual(['  l', ' le', 'lea', 'ea '])
    expect(trigrams('aaa aaa')).toEqual(['  a', ' aa', 'aaa', 'aa '])
    expect(trigrams('')).toEqual([])
  })

  it('scores a typo close to the name and a stranger far from it', () => {
    expect(similarity('eloise quintavale', 'Éloïse Quintavalle')).toBeGreaterThan(0.6)
    expect(similarity('Éloïse Quintavalle', 'ELOISE QUINTAVALLE')).toBe(1)
    expect(similarity('Jean Martin', 'Éloïse Quintavalle')).toBeLessThan(0.1)
    expect(similarity('', 'x')).toBe(0)
  })

  it('counts typos, a swap of two letters as one, and forgives one per five letters', () => {
    expect(editDistance('quintavalle', 'quintavale')).toBe(1)
    expect(editDistance('eloise', 'elosie')).toBe(1)
    expect(editDistance('martin', 'martin')).toBe(0)
    expect(editDistance('', 'abc')).toBe(3)
    expect(editDistance('kitten', 'sitting')).toBe(3)
    expect(wordMatches('quintavale', 'quintavalle')).toBe(true)
    expect(wordMatches('qintavale', 'quintavalle')).toBe(true)
    expect(wordMatches('quinta', 'quintavalle')).toBe(true)
    expect(wordMatches('roy', 'ray')).toBe(false)
    expect(wordMatches('martin', 'marten')).toBe(true)
    expect(wordMatches('martin', 'morton')).toBe(false)
  })

  it('keys a phone number by its last nine digits, whatever its spelling', () => {
    for (const spelling of [
      '+33 6 12 34 56 78',
      '06.12.34.56.78',
      '0033612345678',
      '06-12-34-56-78',
      '612345678',
    ])
      expect(phoneKey(spelling)).toBe('612345678')
    expect(phoneKey('12 34')).toBeNull()
  })
})

describe('redaction', () => {
  it('redacts the full name in both orders, any case, with or without accents', () => {
    expect(redact('Appel de Mme Éloïse Quintavalle ce matin')).toBe(`Appel de Mme ${X} ce matin`)
    expect(redact('QUINTAVALLE Éloïse a rappelé')).toBe(`${X} a rappelé`)
    expect(redact('eloise quintavalle')).toBe(X)
    expect(redact('Quintavalle, Eloise')).toBe(X)
    // Decomposed accents (NFD) as some keyboards and systems produce them.
    expect(redact('E\u0301loi\u0308se Quintavalle')).toBe(X)
  })

  it('redacts the surname alone, but not a first name, a particle or a longer word', () => {
    expect(redact('Mme Quintavallé rappelle')).toBe(`Mme ${X} rappelle`)
    expect(redact('Quintavalle-Durand')).toBe(`${X}-Durand`)
    expect(redact('Éloïse a appelé')).toBe('Éloïse a appelé')
    expect(redact('Quintavalles et Aquintavalle')).toBe('Quintavalles et Aquintavalle')
    const particle = citizenRedactor({
      name: 'Marie de la Tour',
      email: null,
      phone: null,
      postalAddress: null,
    })
    expect(redactText('la rue de la Paix', particle)).toBe('la rue de la Paix')
    expect(redactText('Mme de la Tour, Tour', particle)).toBe(`Mme ${X}, ${X}`)
    // Surname tokens under four letters stay (too many ordinary words).
    const short = citizenRedactor({ name: 'Léa Roy', email: null, phone: null, postalAddress: null })
    expect(redactText('Le roy est venu ; Léa Roy aussi', short)).toBe(`Le roy est venu ; ${X} aussi`)
  })

  it('redacts the e-mail, in any case, and only that address', () => {
    expect(redact('écrire à ELOISE.Quintavalle@Example.org.')).toBe(`écrire à ${X}.`)
    expect(redact('copie à x.eloise.quintavalle@example.org')).not.toContain('quintavalle@example.org')
    expect(redact('autre : jean.dupont@example.org')).toBe('autre : jean.dupont@example.org')
  })

  it('redacts the phone in any spacing, with +33, 0033 or the trunk 0', () => {
    for (const spelling of [
      '06 12 34 56 78',
      '06.12.34.56.78',
      '0612345678',
      '+33 6 12 34 56 78',
      '+33 (0)6 12 34 56 78',
      '0033 612 345 678',
      '06-12-34-56-78',
    ])
      expect([spelling, redact(`tél. ${spelling} le soir`)]).toEqual([spelling, `tél. ${X} le soir`])
    // Another number, or the same digits inside a longer one, stay.
    expect(redact('tél. 06 12 34 56 79')).toBe('tél. 06 12 34 56 79')
    expect(redact('dossier 0612345678901')).toBe('dossier 0612345678901')
  })

  it('redacts the postal address, whole or its street, whatever the punctuation and case', () => {
    expect(redact('habite 12, rue des Lilas 54000 NANCY.')).toBe(`habite ${X}.`)
    expect(redact('devant le 12 rue des lilas')).toBe(`devant le ${X}`)
    expect(redact('rue des Lilas')).toBe('rue des Lilas')
  })

  it('leaves text without the citizen unchanged, and redacting twice changes nothing more', () => {
    const text = 'Nid-de-poule devant la mairie, signalé par un passant.'
    expect(redact(text)).toBe(text)
    const once = redact('Éloïse Quintavalle, 06 12 34 56 78')
    expect(redact(once)).toBe(once)
  })

  it('redacts every string inside JSON, keeping keys, numbers and shape', () => {
    const data = {
      from: 'Demande de Éloïse Quintavalle',
      to: 'Demande anonyme',
      n: 3,
      list: ['06 12 34 56 78', null, { deep: 'QUINTAVALLE' }],
      Quintavalle: true,
    }
    expect(redactJson(data, redactor)).toEqual({
      from: `Demande de ${X}`,
      to: 'Demande anonyme',
      n: 3,
      list: [X, null, { deep: X }],
      Quintavalle: true,
    })
    expect(redactJson('Éloïse Quintavalle', redactor)).toBe(X)
    expect(redactJson(null, redactor)).toBeNull()
  })

  it('takes hyphens, slashes and dots in names, e-mails and addresses', () => {
    const r = citizenRedactor({
      name: 'Anne-Sophie Lefèvre-Utile',
      email: 'anne-sophie.lefevre@mairie-exemple.fr',
      phone: null,
      postalAddress: '3 bis/1 rue Jean-Jaurès',
    })
    const text =
      'Appel de ANNE-SOPHIE LEFÈVRE-UTILE (anne-sophie.lefevre@mairie-exemple.fr), 3 bis/1 rue Jean-Jaurès.'
    const out = redactText(text, r)
    expect(out).not.toMatch(/anne|sophie|lef[eè]vre|utile|jaur/i)
    expect(out).toContain('Appel de')
  })

  it('a citizen with nothing but a name still gets a redactor', () => {
    const r = citizenRedactor({ name: 'Zoë', email: null, phone: '12', postalAddress: null })
    expect(redactText('Zoë, zoe et ZOË', r)).toBe(`${X}, ${X} et ${X}`)
  })
})

describe('stripFreeText', () => {
  it('takes the text out of comments, updates, creations and transitions, nothing else', () => {
    expect(stripFreeText('comment', { commentId: 'c1', kind: 'public', body: 'Mme Quintavalle' })).toEqual({
      commentId: 'c1',
      kind: 'public',
      body: X,
    })
    expect(stripFreeText('update', { title: 'Chez Quintavalle', priority: 'high', address: null })).toEqual({
      title: X,
      priority: 'high',
      address: null,
    })
    expect(
      stripFreeText('create', {
        categoryId: 'voirie',
        title: 't',
        description: 'd',
        address: 'a',
        channel: 'phone',
      }),
    ).toEqual({ categoryId: 'voirie', title: X, description: X, address: X, channel: 'phone' })
    expect(
      stripFreeText('transition', {
        transitionId: 'close',
        fields: { resolutionNote: 'vu Mme Q.', scheduledFor: '2026-07-01', duplicateOf: 'GRC-2026-000001' },
      }),
    ).toEqual({
      transitionId: 'close',
      fields: { resolutionNote: X, scheduledFor: '2026-07-01', duplicateOf: 'GRC-2026-000001' },
    })
    expect(stripFreeText('assign', { assigneeId: 'a1' })).toEqual({ assigneeId: 'a1' })
    expect(stripFreeText('comment', null)).toBeNull()
  })
})

describe("foldLetters (the cache's full-text index and the words searched)", () => {
  it('spells out ligatures and compatibility characters, keeping case and punctuation', () => {
    expect(foldLetters('Vandœuvre-lès-Nancy')).toBe('Vandoeuvre-les-Nancy')
    expect(foldLetters('ŒUVRE Æsa Straße ẞ')).toBe('OEUVRE AEsa Strasse SS')
    expect(foldLetters('ﬁn du ﬂux, 2 m², ＡＢ ½')).toBe('fin du flux, 2 m2, AB 1⁄2')
  })

  it('leaves ASCII and Latin-1 accented text as it is (the tokenizer folds those accents)', () => {
    for (const text of [
      'GRC-2026-000239',
      'Éclairage public éteint, rue Saint-Dizier',
      'Ça dépend\u00a0« ici » — l’école… 12 €',
      '',
    ])
      expect(foldLetters(text)).toBe(text)
  })

  it('changes nothing the tokenizer would read differently when it takes the fast path', () => {
    // Every character the fast path lets through: NFKD leaves it alone, or turns a
    // separator into separators (no letter or digit appears or disappears).
    const word = /[\p{L}\p{N}]/u
    for (let code = 0xa0; code <= 0x20ac; code++) {
      const c = String.fromCharCode(code)
      if (foldLetters(`a${c}b`) !== `a${c}b`) continue
      const folded = c.normalize('NFKD').replace(/\p{M}/gu, '')
      const letters = (t: string) => [...t].filter((x) => word.test(x)).length
      if (folded === c) continue
      // A separator stays separators; an accented letter stays one letter (its base).
      expect(letters(folded), `U+${code.toString(16)}`).toBe(letters(c) === 0 ? 0 : 1)
      expect([...folded].length === 1 || letters(c) === 0, `U+${code.toString(16)}`).toBe(true)
    }
  })

  it('removes accents once it folds: the decomposed and the precomposed spellings agree', () => {
    expect(foldLetters('e\u0301clair œ')).toBe('eclair oe')
    expect(foldLetters('éclair œ')).toBe('eclair oe')
  })
})
