/**
 * Searching the queue: plain words, diacritics folded, prefixes, citizen names; whatever
 * is typed in the box (FTS syntax included) is searched as words and never raises.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { QUEUE_SORTS, type QueueFilter } from '../../src/shared/contract'
import { openStore, type Db } from '../../src/main/cache/db'
import {
  PREFIX_TERMS_MAX,
  prefixTermsOf,
  toFtsMatch,
  toFtsQuery,
  toTeamFtsMatch,
} from '../../src/main/cache/fts'
import { insertCitizen } from '../../src/main/cache/queries/citizens'
import {
  countQueue,
  insertRequest,
  listQueue,
  setRequestStatus,
  updateRequestFields,
  type NewRequestRow,
} from '../../src/main/cache/queries/requests'
import type { Scope } from '../../src/core/authz/scope'
import { requestRow } from '../support/requestRow'

const NOW = Date.UTC(2026, 2, 16, 10, 0)
const ALL: Scope = { kind: 'all' }
let dir: string
let db: Db

let n = 0
function add(fields: Partial<NewRequestRow>): string {
  n++
  const id = `req-${n}`
  insertRequest(
    db,
    requestRow(id, {
      reference: `GRC-2026-${String(n).padStart(6, '0')}`,
      title: 'Demande',
      channel: 'portal',
      createdAt: NOW - n * 60_000,
      updatedAt: NOW - n * 60_000,
      version: 0,
      ...fields,
    }),
  )
  return id
}

const search = (text: string, scope: Scope = ALL, filter: QueueFilter = {}) =>
  listQueue(db, {
    scope,
    filter: { ...filter, text },
    sort: 'created_desc',
    after: null,
    limit: 100,
    now: NOW,
  }).rows.map((r) => r.id)

let lighting: string
let pothole: string
let dumping: string
let withCitizen: string
let vandoeuvre: string
let ligatures: string

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'grc-fts-'))
  db = openStore(join(dir, 'cache.db'))
  insertCitizen(db, {
    id: 'cit-1',
    name: 'Jeanne Dupré',
    email: null,
    phone: null,
    postalAddress: null,
    contactPreference: 'none',
  })
  lighting = add({
    title: 'Éclairage public en panne',
    description: 'Le lampadaire est éteint depuis trois jours, rue Saint-Dizier.',
    teamId: 'eclairage',
    categoryId: 'eclairage-public',
    address: '12 rue Saint-Dizier, 54000 Nancy',
  })
  pothole = add({
    title: 'Nid-de-poule',
    description: 'Un trou dangereux devant l’école.',
    address: '3 avenue Foch',
  })
  dumping = add({ title: 'Dépôt sauvage', description: 'Encombrants abandonnés.', teamId: 'proprete' })
  withCitizen = add({ title: 'Bruit de chantier', description: 'Travaux dès 6 heures.', citizenId: 'cit-1' })
  for (let i = 0; i < 30; i++) add({ title: `Trottoir abîmé ${i}`, description: 'Dalles descellées.' })
  vandoeuvre = add({
    title: 'Avaloir bouché',
    description: 'Eau stagnante après chaque pluie.',
    address: '5 rue de la Paix, 54500 Vandœuvre-lès-Nancy',
  })
  insertCitizen(db, {
    id: 'cit-ligatures',
    name: 'Lætitia Œhmichen',
    email: null,
    phone: null,
    postalAddress: null,
    contactPreference: 'none',
  })
  // Pasted from a PDF: « ﬁ » and « ﬂ » ligatures, a superscript, full-width letters.
  ligatures = add({
    title: 'Affiche arrachée',
    description: 'Aﬃche du ﬂeuriste, panneau de 2 m², quartier ＧＲＡＮＤ Straße.',
    citizenId: 'cit-ligatures',
  })
})
afterAll(() => {
  db.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('search', () => {
  it('folds diacritics and case: "eclairage" finds "Éclairage", "DEPOT" finds "Dépôt"', () => {
    expect(search('eclairage')).toEqual([lighting])
    expect(search('ÉCLAIRAGE')).toEqual([lighting])
    expect(search('DEPOT')).toEqual([dumping])
    expect(search('ecole')).toEqual([pothole])
  })

  it('folds ligatures: "Vandoeuvre", "VANDOEUVRE" and "vandœuvre" find "Vandœuvre"', () => {
    for (const text of [
      'Vandoeuvre',
      'VANDOEUVRE',
      'vandœuvre',
      'VANDŒUVRE',
      'vandoeuvre-les-nancy',
      'Vandœuv',
    ])
      expect(search(text), text).toEqual([vandoeuvre])
    expect(search('vandoeuvre', { kind: 'teams', teamIds: ['voirie'] }, { status: ['new'] })).toEqual([
      vandoeuvre,
    ])
    expect(countQueue(db, { scope: ALL, filter: { text: 'Vandoeuvre' }, now: NOW }).total).toBe(1)
  })

  it('folds compatibility characters and ligatures in the text and in the citizen name', () => {
    expect(search('affiche fleuriste')).toEqual([ligatures])
    expect(search('aﬃche')).toEqual([ligatures])
    expect(search('m2')).toEqual([ligatures])
    expect(search('grand strasse')).toEqual([ligatures])
    expect(search('laetitia oehmichen')).toEqual([ligatures])
    expect(search('Lætitia')).toEqual([ligatures])
  })

  it('matches the last word as a prefix and every word (AND)', () => {
    expect(search('lampad')).toEqual([lighting])
    expect(search('lampadaire eteint')).toEqual([lighting])
    expect(search('lampadaire trottoir')).toEqual([])
  })

  it('finds with the last word spelled out as the index’s terms exactly what a prefix search finds', () => {
    // The prefix search itself, straight on the index: what the queue found before the spelling out.
    const byPrefix = (text: string) => {
      const rowids = db
        .prepare('SELECT rowid FROM requests_fts WHERE requests_fts MATCH ?')
        .pluck()
        .all(toFtsMatch(text, {}, { citizenNames: true })) as number[]
      return db
        .prepare(`SELECT id FROM requests WHERE rowid IN (${rowids.join(',') || 'NULL'})`)
        .pluck()
        .all() as string[]
    }
    const texts = [
      'lampad',
      'Écl',
      'ECLAIRAGE',
      'trott',
      'tro',
      'rue saint-d',
      'da',
      'dalles desc',
      'nid-de-po',
      'saint-d',
      "l'eclai",
      'vandœuv',
    ]
    for (const text of [...texts, 'GRC-2026-0000', 'dupr', 'zz', 'd', 'nid-de-p', 'łódź'])
      expect(search(text).sort(), text).toEqual(byPrefix(text).sort())
    expect(search('trott')).toHaveLength(30)
    expect(search('Écl')).toEqual([lighting])
  })

  it('finds a request by its reference, its address and its citizen name', () => {
    expect(search('GRC-2026-000002')).toEqual([pothole])
    expect(search('avenue foch')).toEqual([pothole])
    expect(search('dupre')).toEqual([withCitizen])
  })

  it('follows a citizen renamed or arriving after their request', () => {
    db.prepare('UPDATE citizens SET name = ? WHERE id = ?').run('Jeanne Martin-Lefort', 'cit-1')
    expect(search('dupre')).toEqual([])
    expect(search('lefort')).toEqual([withCitizen])
    const late = add({ title: 'Demande tardive', citizenId: 'cit-2' })
    expect(search('Zanetti')).toEqual([])
    insertCitizen(db, {
      id: 'cit-2',
      name: 'Paolo Zanetti',
      email: null,
      phone: null,
      postalAddress: null,
      contactPreference: 'none',
    })
    expect(search('zanetti')).toEqual([late])
  })

  it('follows the text and the status of a request', () => {
    const id = add({ title: 'Arbre tombé', description: 'Branche cassée' })
    updateRequestFields(db, id, { description: 'Tronc fendu' })
    expect(search('branche')).toEqual([])
    expect(search('tronc')).toEqual([id])
    setRequestStatus(db, id, {
      status: 'qualified',
      statusKind: 'open',
      closedAt: null,
      fields: {},
      slaPausedMs: 0,
      slaPausedSince: null,
      dueAt: null,
    })
    expect(search('tronc', ALL, { status: ['new'] })).toEqual([])
    expect(search('tronc', ALL, { status: ['qualified'] })).toEqual([id])
    db.prepare('DELETE FROM requests WHERE id = ?').run(id)
    expect(search('tronc')).toEqual([])
  })

  it('stays within the scope and the filters', () => {
    const voirie: Scope = { kind: 'teams', teamIds: ['voirie'] }
    expect(search('eclairage', voirie)).toEqual([])
    expect(search('trottoir', voirie)).toHaveLength(30)
    expect(search('trottoir', { kind: 'teams', teamIds: ['eclairage'] })).toEqual([])
    expect(search('trottoir', ALL, { categoryId: ['eclairage-public'] })).toEqual([])
    expect(search('trottoir', ALL, { unassigned: true })).toHaveLength(30)
    expect(search('trottoir', ALL, { assigneeId: ['agent-x'] })).toEqual([])
    expect(countQueue(db, { scope: voirie, filter: { text: 'trottoir' }, now: NOW }).total).toBe(30)
    expect(countQueue(db, { scope: voirie, filter: { text: 'eclairage' }, now: NOW }).total).toBe(0)
  })

  it('within a few teams, reads their own terms and finds exactly what a search of every team finds in them', () => {
    const moved = add({ title: 'Banc descellé', teamId: 'voirie', citizenId: 'cit-1' })
    const teamOf = db.prepare('SELECT team_id FROM requests WHERE id = ?').pluck()
    const texts = [
      ...[
        'eclairage',
        'ÉCLAIRAGE',
        'DEPOT',
        'ecole',
        'Vandoeuvre',
        'vandœuvre',
        'Vandœuv',
        'affiche fleuriste',
      ],
      ...['m2', 'grand strasse', 'laetitia oehmichen', 'lampad', 'lampadaire eteint', 'trott', 'tro', 'da'],
      ...[
        'rue saint-d',
        'rue saint',
        'dalles desc',
        'GRC-2026-000002',
        'avenue foch',
        'nid-de-poule',
        'nid-de-p',
      ],
      ...[
        'banc',
        'banc desc',
        'martin',
        'lefort banc',
        'zz',
        'd',
        'łódź',
        '"lampadaire',
        'NEAR(',
        'e\u0301clairage',
      ],
    ]
    const scopes = [
      ['voirie'],
      ['eclairage'],
      ['voirie', 'proprete'],
      ['proprete', 'eclairage', 'voirie', 'espaces-verts'],
    ]
    // The filters the agents' index does not hold are checked on the rows.
    const filters: QueueFilter[] = [{}, { status: ['new'] }, { unassigned: true }, { categoryId: ['voirie'] }]
    const check = () => {
      for (const teamIds of scopes)
        for (const text of texts)
          for (const filter of filters) {
            const inTeams = search(text, ALL, filter).filter((id) =>
              teamIds.includes(teamOf.get(id) as string),
            )
            const scope: Scope = { kind: 'teams', teamIds }
            expect(search(text, scope, filter), `${text} in ${teamIds.join(', ')}`).toEqual(inTeams)
            if (!filter.status)
              expect(countQueue(db, { scope, filter: { ...filter, text }, now: NOW }).total).toBe(
                inTeams.length,
              )
          }
    }
    check()
    expect(search('banc', { kind: 'teams', teamIds: ['voirie'] })).toEqual([moved])
    // Moved to another team: its words go with it.
    db.prepare('UPDATE requests SET team_id = ? WHERE id = ?').run('proprete', moved)
    expect(search('banc', { kind: 'teams', teamIds: ['voirie'] })).toEqual([])
    expect(search('banc', { kind: 'teams', teamIds: ['proprete'] })).toEqual([moved])
    check()
    // Read in the agents' index (0022), names only for those who may read them.
    expect(toTeamFtsMatch('banc', ['voirie'], { citizenNames: false })).toMatch(/^\{team_words\} : /)
    expect(toTeamFtsMatch('banc', ['voirie'], { citizenNames: true })).toMatch(
      /^\{team_words team_names\} : /,
    )
  })

  it('reads the agents’ index only once it holds every request (a cache filled before it reads the other)', () => {
    const proprete: Scope = { kind: 'teams', teamIds: ['proprete'] }
    const rowid = db.prepare('SELECT rowid FROM requests WHERE id = ?').pluck().get(dumping) as number
    expect(search('depot', proprete)).toEqual([dumping])
    const ready = (value: 0 | 1) => db.prepare('UPDATE team_search_state SET ready = ?').run(value)
    try {
      // As in a cache that held requests before the index came: this one is not in it.
      db.prepare('DELETE FROM requests_team_fts WHERE rowid = ?').run(rowid)
      expect(search('depot', proprete)).toEqual([])
      ready(0)
      expect(search('depot', proprete)).toEqual([dumping])
      expect(countQueue(db, { scope: proprete, filter: { text: 'depot' }, now: NOW }).total).toBe(1)
      // Its triggers go on, even for a request they never indexed.
      updateRequestFields(db, dumping, { description: 'Encombrants et gravats abandonnés.' })
      ready(1)
      expect(search('gravats', proprete)).toEqual([dumping])
    } finally {
      ready(1)
    }
    // A cache that held requests before the index came: ready once emptied (a reset before a refill).
    const other = openStore(join(dir, 'before-the-index.db'))
    try {
      insertRequest(other, requestRow('old-1', { title: 'Banc descellé', createdAt: NOW, updatedAt: NOW }))
      other.prepare('UPDATE team_search_state SET ready = 0').run()
      other.prepare('DELETE FROM requests').run()
      expect(other.prepare('SELECT ready FROM team_search_state').pluck().get()).toBe(1)
    } finally {
      other.close()
    }
  })

  it('pages through the matches in every sort, each once', () => {
    for (const sort of QUEUE_SORTS) {
      const seen: string[] = []
      let after: string | null = null
      do {
        const page = listQueue(db, {
          scope: ALL,
          filter: { text: 'trottoir' },
          sort,
          after,
          limit: 7,
          now: NOW,
        })
        seen.push(...page.rows.map((r) => r.id))
        after = page.nextCursor
      } while (after)
      expect(new Set(seen).size, sort).toBe(30)
      expect(seen, sort).toHaveLength(30)
    }
  })

  it('treats a blank text as no text', () => {
    const all = listQueue(db, {
      scope: ALL,
      filter: {},
      sort: 'created_desc',
      after: null,
      limit: 500,
      now: NOW,
    }).rows
    expect(search('   ')).toHaveLength(Math.min(100, all.length))
    expect(toFtsQuery('  \t ')).toBeNull()
  })
})

describe('what is typed is only ever words', () => {
  const typed = [
    '"',
    '""',
    '"lampadaire',
    'NEAR(',
    'NEAR(lampadaire, 2)',
    '*',
    'lampa*',
    '-',
    '-lampadaire',
    'a OR',
    'OR',
    'AND',
    'NOT',
    ')',
    '(',
    '(lampadaire)',
    'title:lampadaire',
    '{title}: x',
    '^lampadaire',
    '+',
    ':',
    "l'éclairage",
    '🙂',
    '\u0000',
    'x'.repeat(200),
    '" OR 1=1 --',
    'œ',
    'Œ*',
    '＂',
    '＂lampadaire＂',
    '＊',
    '\u0301',
    'e\u0301clairage',
    'ﬁ*',
    '½',
    'NEAR(ŒUVRE',
  ]
  it('never raises, in the list and in the counts', () => {
    for (const text of typed) {
      expect(() => search(text), text).not.toThrow()
      expect(
        () => search(text, { kind: 'teams', teamIds: ['voirie'] }, { status: ['new'] }),
        text,
      ).not.toThrow()
      expect(() => countQueue(db, { scope: ALL, filter: { text }, now: NOW }), text).not.toThrow()
      expect(
        () =>
          countQueue(db, {
            scope: { kind: 'teams', teamIds: ['voirie', 'proprete'] },
            filter: { text },
            now: NOW,
          }),
        text,
      ).not.toThrow()
    }
  })

  it('searches the words themselves, not the syntax', () => {
    expect(search('"lampadaire"')).toEqual([lighting])
    expect(search('-lampadaire')).toEqual([lighting])
    expect(search('(lampadaire)')).toEqual([lighting])
    expect(search('lampadaire*')).toEqual([lighting])
    // "OR" is a word to find, not an operator: no request says both.
    expect(search('lampadaire OR trottoir')).toEqual([])
    expect(search("l'éclairage")).toEqual([])
    expect(search('éclairage public')).toEqual([lighting])
    // Full-width quotes fold to plain ones: still words, never syntax.
    expect(search('＂lampadaire＂')).toEqual([lighting])
    expect(search('e\u0301clairage')).toEqual([lighting])
  })

  it('quotes every token and prefixes the last one', () => {
    expect(toFtsQuery('a "b" NEAR(')).toBe('"a" """b""" "NEAR("*')
    expect(toFtsQuery('* - )')).toBeNull()
    expect(toFtsQuery('Vandœuvre ＂Œ')).toBe('"Vandoeuvre" """OE"*')
  })

  it('spells the last word out as the terms it stands for only when it is one plain term', () => {
    const asked: string[] = []
    const terms = (prefix: string) => {
      asked.push(prefix)
      if (prefix === 'poul') return ['poule', 'poules']
      return prefix === 'trott' ? ['trottoir', 'trottoirs'] : prefix === 'ecl' ? ['eclairage'] : null
    }
    expect(toFtsQuery('rue Trott', terms)).toBe('"rue" AND ("trottoir" OR "trottoirs")')
    expect(toFtsQuery('Écl', terms)).toBe('("eclairage")')
    // A word the tokenizer splits: a phrase of its tokens, one per term of the last.
    expect(toFtsQuery('Nid-de-Poul', terms)).toBe('("nid de poule" OR "nid de poules")')
    expect(toFtsQuery("l'Écl", terms)).toBe('("l eclairage")')
    // Too many terms, none, or a word the tokenizer may spell otherwise: a prefix.
    expect(toFtsQuery('lampa', terms)).toBe('"lampa"*')
    expect(toFtsQuery('nid-de-p', terms)).toBe('"nid-de-p"*')
    expect(toFtsQuery('łódź', terms)).toBe('"łodz"*')
    expect(toFtsQuery('rue–trott', terms)).toBe('"rue–trott"*')
    expect(toFtsQuery('a " OR', terms)).toBe('"a" "OR"*')
    expect(asked).toEqual(['trott', 'ecl', 'poul', 'ecl', 'lampa', 'p', 'or'])
  })

  it('lists the terms of a prefix as the index counts them, across its segments and after edits', () => {
    const other = openStore(join(dir, 'vocabulary.db'))
    try {
      const words = ['trottoir', 'trottoirs', 'trottinette', 'trou', 'tri', 'troc', 'tram', 'trombone']
      // One request per commit: each leaves a segment of its own until FTS5 merges them.
      const ids = words.map((word, i) => {
        const id = `voc-${i}`
        insertRequest(
          other,
          requestRow(id, { title: `${word} ${word}${i}`, createdAt: NOW - i, updatedAt: NOW - i }),
        )
        return id
      })
      // A word written over (its only request renamed) and one of two requests of a word.
      updateRequestFields(other, ids[5]!, { title: 'banc' })
      updateRequestFields(other, ids[1]!, { title: 'trottoir' })
      const counted = (prefix: string) => {
        other.exec('CREATE VIRTUAL TABLE IF NOT EXISTS temp.counted USING fts5vocab(main, requests_fts, row)')
        const terms = other.prepare('SELECT term FROM temp.counted WHERE cnt > 0').pluck().all() as string[]
        return terms.filter((term) => term.startsWith(prefix))
      }
      const listed = prefixTermsOf(other)
      const prefixes = new Set(words.flatMap((w) => [w.slice(0, 2), w.slice(0, 3), w.slice(0, 4), w]))
      for (const prefix of [...prefixes, 'troc', 'trottoirs', 'ba', 'zz'])
        expect(listed(prefix), prefix).toEqual(counted(prefix))
      expect(listed('tro')).toEqual(
        [
          'trottinette',
          'trottinette2',
          'trottoir',
          'trottoir0',
          'trou',
          'trou3',
          'trombone',
          'trombone7',
        ].sort(),
      )
    } finally {
      other.close()
    }
  })

  it('searches as a prefix a word that stands for more terms than it spells out', () => {
    const other = openStore(join(dir, 'many-terms.db'))
    try {
      const words = Array.from({ length: PREFIX_TERMS_MAX + 6 }, (_, i) => `motcle${i}`)
      words.forEach((word, i) =>
        insertRequest(
          other,
          requestRow(`many-${i}`, { title: word, createdAt: NOW - i, updatedAt: NOW - i }),
        ),
      )
      expect(prefixTermsOf(other)('motcle')).toBeNull()
      expect(prefixTermsOf(other)('motcle1')).toHaveLength(11)
      const found = listQueue(other, {
        scope: ALL,
        filter: { text: 'MOTCLE' },
        sort: 'created_desc',
        after: null,
        limit: 100,
        now: NOW,
      })
      expect(found.rows).toHaveLength(words.length)
      expect(countQueue(other, { scope: ALL, filter: { text: 'motcle1' }, now: NOW }).total).toBe(11)
    } finally {
      other.close()
    }
  })
})
