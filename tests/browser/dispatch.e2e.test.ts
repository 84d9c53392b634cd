/**
 * The dispatch board in Debian's Chromium against the real core through the web bridge:
 * Luc drags an unassigned request onto Tom's column and Tom's figures follow; the same
 * with the keyboard (a card, `a`, a person, Enter); the capacity dialog; axe on each.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Locator, Page } from 'playwright-core'
import { seriousViolations } from '../support/axe'
import { openBrowserWorld, type BrowserWorld } from '../support/browser'

let world: BrowserWorld

beforeAll(async () => {
  world = await openBrowserWorld(600)
})
afterAll(async () => world?.close())

const columnOf = (page: Page, name: string) => page.locator(`section[aria-label="Colonne de ${name}"]`)
/** The « N ouvertes » figure of a column. */
async function openCount(column: Locator): Promise<number> {
  const text = (await column.locator('.figures').textContent()) ?? ''
  return Number(/(\d+) ouvertes/.exec(text)?.[1] ?? NaN)
}

async function lucOnTheBoard() {
  const page = await world.newPage()
  await world.login(page, 'luc.lead')
  await page.getByRole('link', { name: 'Répartition' }).click()
  await columnOf(page, 'Tom Lallemand').waitFor()
  await columnOf(page, 'Non attribuées').locator('li.card').first().waitFor()
  return page
}

describe('the dispatch board', () => {
  it('moves a request Luc drags onto Tom, and Tom’s figures change', async () => {
    const page = await lucOnTheBoard()
    const tom = columnOf(page, 'Tom Lallemand')
    const unassigned = columnOf(page, 'Non attribuées')
    const tomBefore = await openCount(tom)
    const nobodyBefore = await openCount(unassigned)
    const loadBefore = await tom.getByRole('meter').getAttribute('aria-valuenow')
    const card = unassigned.locator('li.card').first()
    const id = await card.getAttribute('data-request-id')
    const reference = (await card.locator('strong').first().textContent())!.trim()

    await card.dragTo(tom)

    await expect.poll(() => openCount(tom)).toBe(tomBefore + 1)
    expect(await openCount(unassigned)).toBe(nobodyBefore - 1)
    expect(await unassigned.locator(`[data-request-id="${id}"]`).count()).toBe(0)
    expect(await tom.getByRole('meter').getAttribute('aria-valuenow')).not.toBe(loadBefore)
    await page
      .getByRole('status')
      .filter({ hasText: `${reference} attribuée à Tom Lallemand.` })
      .waitFor()
    expect(await seriousViolations(page, '.dispatch-view')).toEqual([])
    await page.context().close()
  })

  it('assigns with the keyboard: a card, « a », a person, Enter', async () => {
    const page = await lucOnTheBoard()
    const unassigned = columnOf(page, 'Non attribuées')
    const card = unassigned.locator('li.card').first()
    const id = await card.getAttribute('data-request-id')
    const reference = (await card.locator('strong').first().textContent())!.trim()
    await card.focus()
    await page.keyboard.press('a')
    const list = page.getByRole('listbox', { name: 'Personnes' })
    await list.waitFor()
    expect(await seriousViolations(page, '.assign-picker')).toEqual([])
    const first = ((await list.getByRole('option').first().textContent()) ?? '').split(' — ')[0]!.trim()
    const person = columnOf(page, first)
    const before = await openCount(person)
    await page.keyboard.press('Enter')
    await expect.poll(() => openCount(person)).toBe(before + 1)
    expect(await unassigned.locator(`[data-request-id="${id}"]`).count()).toBe(0)
    await page
      .getByRole('status')
      .filter({ hasText: `${reference} attribuée à ${first}.` })
      .waitFor()
    await page.context().close()
  })

  it('opens Tom’s capacity dialog, accessible, and says in words that it needs the server', async () => {
    const page = await lucOnTheBoard()
    await columnOf(page, 'Tom Lallemand')
      .getByRole('button', { name: 'Capacité et absences de Tom Lallemand' })
      .click()
    const dialog = page.getByRole('dialog', { name: 'Capacité et absences de Tom Lallemand' })
    await dialog.getByRole('button', { name: 'Ajouter une absence' }).click()
    expect(await seriousViolations(page, '.capacity-dialog')).toEqual([])
    await dialog.getByRole('button', { name: 'Enregistrer' }).click()
    // This console has no central server: refused in words, nothing lost from the form.
    await dialog.getByRole('alert').filter({ hasText: 'serveur central' }).waitFor()
    expect(await dialog.getByLabel('Motif').count()).toBe(1)
    await page.keyboard.press('Escape')
    await expect.poll(() => dialog.count()).toBe(0)
    await page.context().close()
  })
})
