/**
 * The queue's view as CSV, built by the real core on a real SQLite file: French Excel's
 * format (BOM, `;`, CRLF), exactly the rows the queue shows the session, in pages keyed by
 * the queue's cursor, and text a spreadsheet would run as a formula made inert.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { OutputOf, QueueFilter } from '../../src/shared/contract'
import { EXPORT_PAGE_ROWS, type QueueExportPage } from '../../src/shared/channels/queueExport'
import { openTestCore, type TestCore } from '../support/core'

let t: TestCore
beforeAll(async () => {
  t = await openTestCore({ requests: 5000 })
})
afterAll(async () => t?.close())

/** Every page of the export, as the renderer reads them. */
async function exportAll(filter: QueueFilter = {}, language: 'fr' | 'en' = 'fr') {
  const pages: { csv: string; rows: number; total: number | null }[] = []
  let after: string | null = null
  do {
    const page: QueueExportPage = await t.value('queue.exportPage', {
      filter,
      sort: 'created_desc',
      after,
      language,
    })
    pages.push(page)
    after = page.nextCursor
  } while (after !== null)
  return { pages, csv: pages.map((p) => p.csv).join('') }
}

/** Every reference of the view as the queue lists it. */
async function queueReferences(filter: QueueFilter = {}) {
  const refs: string[] = []
  let after: string | null = null
  do {
    const page: OutputOf<'queue.list'> = await t.value('queue.list', {
      filter,
      sort: 'created_desc',
      after,
      limit: 500,
    })
    refs.push(...page.rows.map((r) => r.reference))
    after = page.nextCursor
  } while (after !== null)
  return refs
}

const linesOf = (csv: string) =>
  csv
    .replace(/^\uFEFF/, '')
    .split('\r\n')
    .slice(0, -1)

describe('exporting the queue view', () => {
  it('gives a supervisor every request of the view, in pages, as French Excel reads it', async () => {
    await t.as('sara.sup')
    const { pages, csv } = await exportAll()
    expect(pages.length).toBeGreaterThan(1)
    expect(pages[0]!.rows).toBe(EXPORT_PAGE_ROWS)
    expect(
      csv.startsWith(
        '\uFEFFRéférence;Titre;Catégorie;Statut;Priorité;Équipe;Agent assigné;Adresse;Créée le;Échéance;Modifiée le;Étiquettes\r\n',
      ),
    ).toBe(true)
    // The BOM and the header once, at the very start; every line ends in CRLF.
    expect(csv.split('\uFEFF')).toHaveLength(2)
    expect(csv.endsWith('\r\n')).toBe(true)
    expect(csv.replace(/\r\n/g, '')).not.toMatch(/\n/)
    const lines = linesOf(csv)
    const refs = await queueReferences()
    expect(pages[0]!.total).toBe(refs.length)
    expect(lines.slice(1).map((l) => l.split(';')[0])).toEqual(refs)
  })

  it('keeps an agent to her teams and to the filter of her view', async () => {
    await t.as('zoe.agent')
    const filter: QueueFilter = { status: ['new'], priority: ['high', 'urgent'] }
    const { csv, pages } = await exportAll(filter)
    const lines = linesOf(csv).slice(1)
    const refs = await queueReferences(filter)
    expect(refs.length).toBeGreaterThan(0)
    expect(lines.map((l) => l.split(';')[0])).toEqual(refs)
    expect(pages[0]!.total).toBe(refs.length)
    const reference = await t.value('reference.get', {})
    const newLabel = reference.statuses.find((s) => s.id === 'new')!.label.fr
    for (const line of lines) {
      const cells = line.split(';')
      expect(cells[3]).toBe(newLabel)
      expect(['Haute', 'Urgente']).toContain(cells[4])
    }
    // Nothing of another team: every row's team is one of hers.
    const session = await t.value('session.current', {})
    const teams = reference.teams
      .filter((team) => session!.teamIds.includes(team.id))
      .map((team) => team.name)
    expect(lines.every((l) => teams.includes(l.split(';')[5]!))).toBe(true)
  })

  it('makes a title written as a formula inert, and quotes the separator and quotes', async () => {
    await t.as('zoe.agent')
    const [row] = (await t.value('queue.list', { filter: {}, sort: 'created_desc', after: null, limit: 1 }))
      .rows
    const detail = await t.value('request.get', { id: row!.id })
    const title = '=HYPERLINK("http://x";"clic")'
    await t.value('request.update', { id: row!.id, patch: { title }, baseVersion: detail.version })
    const { csv } = await exportAll({ text: 'HYPERLINK' })
    const line = linesOf(csv).find((l) => l.startsWith(`${row!.reference};`))
    expect(line).toBeDefined()
    expect(line!.split(';').slice(1, 2).join()).toBe(`"'=HYPERLINK(""http://x""`)
    expect(line).toContain(`;"'=HYPERLINK(""http://x"";""clic"")";`)
  })

  it('writes the header in English for an English console', async () => {
    await t.as('zoe.agent')
    const page = await t.value('queue.exportPage', {
      filter: {},
      sort: 'due_asc',
      after: null,
      language: 'en',
    })
    expect(
      page.csv.startsWith(
        '\uFEFFReference;Title;Category;Status;Priority;Team;Assignee;Address;Created;Due;Updated;Tags\r\n',
      ),
    ).toBe(true)
  })

  it('refuses a cursor it did not make, with a clear error', async () => {
    await t.as('zoe.agent')
    const r = await t.call('queue.exportPage', {
      filter: {},
      sort: 'created_desc',
      after: 'not-a-cursor',
      language: 'fr',
    })
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.error.code).toBe('invalid_input')
  })
})
