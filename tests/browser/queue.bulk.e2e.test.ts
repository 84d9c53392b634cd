/**
 * A lead works many requests from the list, in Debian's Chromium against the real core
 * through the web bridge: an assignment costs the write and two reads, rows picked with the
 * mouse get one status change with one confirmation, the view is exported as a CSV French
 * Excel opens as it is, and the queue with a selection passes axe.
 */
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { seriousViolations } from '../support/axe'
import { openBrowserWorld, type BrowserWorld } from '../support/browser'

let world: BrowserWorld

beforeAll(async () => {
  world = await openBrowserWorld(600)
})
afterAll(async () => world?.close())

/**
 * Read by panels of the detail that watch the request's version themselves (the SLA clock,
 * the duplicates panel), outside the queue and detail stores: counted apart (see the report).
 */
const PANELS_ON_THEIR_OWN = ['requests.slaClock', 'duplicates.ofRequest']
/**
 * Not a refresh: the idle lock's clock (at most once a minute), and the presence mark the
 * detail sends while a control has focus (« Luc modifie l'attribution »: a best-effort note
 * to the server, no read of the cache).
 */
const NOT_REFRESH = ['session.activity', 'presence.report']

/** Every channel the page calls through the bridge, in order. */
function recordCalls(page: Page) {
  const calls: string[] = []
  page.on('request', (request) => {
    const path = new URL(request.url()).pathname
    if (path.startsWith('/api/invoke/')) calls.push(decodeURIComponent(path.slice('/api/invoke/'.length)))
  })
  return calls
}

async function leadOnNewRequests() {
  const page = await world.newPage()
  const calls = recordCalls(page)
  await world.login(page, 'luc.lead')
  const list = page.getByRole('listbox', { name: 'Demandes' })
  await list.getByRole('option').first().waitFor()
  await page.getByRole('combobox', { name: 'Statut' }).selectOption('new')
  await expect
    .poll(async () => {
      const texts = await list.getByRole('option').allTextContents()
      return texts.length > 3 && texts.every((t) => t.includes('Nouvelle'))
    })
    .toBe(true)
  return { page, list, calls }
}

describe('a lead works many requests from the list', () => {
  it('pays the write and two reads for one assignment', async () => {
    const { page, list, calls } = await leadOnNewRequests()
    await list.getByRole('option').first().click()
    const detail = page.getByRole('region', { name: 'Détail de la demande' })
    const select = detail.getByRole('combobox', { name: 'Agent assigné' })
    await select.waitFor()
    await page.waitForTimeout(800)
    const from = calls.length

    const agent = await select.locator('option').nth(1).textContent()
    await select.selectOption({ index: 1 })
    await detail.getByRole('button', { name: 'Assigner' }).click()
    await detail.getByRole('status').filter({ hasText: agent!.trim() }).first().waitFor()
    // Past the counts' debounce and the event's trip: whatever the assignment causes has been asked.
    await page.waitForTimeout(1200)

    const made = calls.slice(from).filter((c) => !NOT_REFRESH.includes(c))
    const ours = made.filter((c) => !PANELS_ON_THEIR_OWN.includes(c))
    console.info(`one assignment: ${made.length} calls through the bridge (${made.join(', ')})`)
    expect(ours.length).toBeLessThanOrEqual(3)
    expect([...ours].sort()).toEqual(['request.assign', 'request.history', 'request.transitions'])
    expect(await list.getByRole('option').first().textContent()).toContain(agent!.trim())
    await page.context().close()
  })

  it('qualifies three picked requests with one confirmation, the list following', async () => {
    const { page, list } = await leadOnNewRequests()
    const rows = list.getByRole('option')
    await rows.nth(0).click()
    await rows.nth(1).click({ modifiers: ['Control'] })
    await rows.nth(3).click({ modifiers: ['Shift'] })
    await expect.poll(() => list.getAttribute('aria-multiselectable')).toBe('true')
    const picked = list.locator('[role="option"][aria-selected="true"]')
    expect(await picked.count()).toBe(3)
    const references = await picked.locator('.reference').allTextContents()
    expect(await page.getByTestId('selection-count').textContent()).toContain('3 demandes sélectionnées')

    const panel = page.getByRole('region', { name: 'Sélection' })
    await panel.getByRole('combobox', { name: 'Changement de statut' }).waitFor()
    expect(await seriousViolations(page)).toEqual([])

    await panel.getByRole('combobox', { name: 'Changement de statut' }).selectOption({ label: 'Qualifier' })
    await panel.getByRole('button', { name: 'Appliquer aux demandes' }).click()
    await panel.getByText('Confirmer : « Qualifier » pour 3 demandes ?').waitFor()
    await panel.getByRole('button', { name: 'Confirmer' }).click()
    await panel.getByTestId('bulk-status').getByText('Statut changé pour 3 demandes : Qualifier').waitFor()

    // The change event brought the rows again: each shows its new status.
    for (const reference of references) {
      const row = list.getByRole('option').filter({ hasText: reference })
      await expect.poll(() => row.textContent()).toContain('Qualifiée')
    }
    await page.keyboard.press('Escape')
    await expect.poll(() => picked.count()).toBeLessThanOrEqual(1)
    expect(await list.getAttribute('aria-multiselectable')).toBeNull()
    await page.context().close()
  })

  it('tags two picked requests in one action: the rows show it, the filter finds them', async () => {
    const { page, list } = await leadOnNewRequests()
    const rows = list.getByRole('option')
    await rows.nth(0).click({ modifiers: ['Control'] })
    await rows.nth(1).click({ modifiers: ['Control'] })
    const picked = list.locator('[role="option"][aria-selected="true"]')
    await expect.poll(() => picked.count()).toBe(2)
    const references = (await picked.locator('.reference').allTextContents()).map((r) => r.trim())

    const panel = page.getByRole('region', { name: 'Sélection' })
    const tag = panel.getByRole('combobox', { name: 'Étiquette', exact: true })
    await tag.fill('presse municipale')
    await panel.getByRole('button', { name: 'Appliquer', exact: true }).click()
    await panel.getByText('Confirmer : ajouter l’étiquette « presse municipale » à 2 demandes ?').waitFor()
    await panel.getByRole('button', { name: 'Confirmer' }).click()
    await panel
      .getByTestId('bulk-status')
      .getByText('Étiquette « presse municipale » sur 2 demandes')
      .waitFor()
    for (const reference of references) {
      const row = list.getByRole('option').filter({ hasText: reference })
      await expect.poll(() => row.locator('.chip').allTextContents()).toContain('presse municipale')
    }
    expect(await seriousViolations(page)).toEqual([])

    // The queue's filter by tag finds exactly them.
    await page.keyboard.press('Escape')
    const filter = page
      .getByRole('form', { name: 'Filtres' })
      .getByRole('combobox', { name: 'Étiquette', exact: true })
    // Reaching the select reads the tags in use again: the one just put on is offered.
    await filter.focus()
    await filter.locator('option', { hasText: 'presse municipale' }).waitFor({ state: 'attached' })
    await filter.selectOption('presse municipale')
    await expect
      .poll(async () => (await list.locator('.reference').allTextContents()).map((r) => r.trim()).sort())
      .toEqual([...references].sort())
    expect(await seriousViolations(page)).toEqual([])
    await page.context().close()
  })

  it('exports the view as CSV: BOM, header, `;` separators, CRLF, a row of the list', async () => {
    const { page, list } = await leadOnNewRequests()
    const first = (await list.getByRole('option').first().locator('.reference').textContent())!.trim()
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Exporter la vue (CSV)' }).click(),
    ])
    expect(download.suggestedFilename()).toMatch(/^demandes-\d{4}-\d{2}-\d{2}\.csv$/)
    const bytes = readFileSync((await download.path())!)
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf])
    const text = bytes.subarray(3).toString('utf8')
    const lines = text.split('\r\n')
    expect(lines[0]).toBe(
      'Référence;Titre;Catégorie;Statut;Priorité;Équipe;Agent assigné;Adresse;Créée le;Échéance;Modifiée le;Étiquettes',
    )
    expect(lines.at(-1)).toBe('')
    const row = lines.find((l) => l.startsWith(`${first};`))
    expect(row).toBeDefined()
    expect(row!.split(';')[3]).toBe('Nouvelle')
    // As many rows as the screen says it exported, one line each.
    const status = page.getByRole('status').filter({ hasText: /demandes? exportées?/ })
    const said = (await status.textContent())!.replace(/\D/g, '')
    expect(lines.length - 2).toBe(Number(said))
    await page.context().close()
  })
})
