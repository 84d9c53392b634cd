/**
 * A lead's dispatch in Chromium against the real core: a perimeter drawn on the map, its
 * requests assigned in one action, a tour built from it, reordered, given to a technician and
 * saved; then the technician logs in and finds the tour on their tours screen with its route
 * sheet. WebGL (the points layer) needs SwiftShader, as in map.e2e.test.ts.
 */
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { drawPerimeter, openAs, SHOTS, useMapWorld } from '../support/mapWalk'

const map = useMapWorld(1500)
const world = () => map.world
const TOM = 'agent-tom.tech'
const MARC = 'agent-marc.vautrin'

const selectedIds = (page: Page) =>
  page
    .getByRole('list', { name: 'Demandes sélectionnées' })
    .locator('li[data-id]')
    .evaluateAll((items) => items.map((li) => li.getAttribute('data-id')!))

describe('dispatching from the map', () => {
  it('assigns a perimeter in one action, then saves a tour the technician finds on their screen', async () => {
    const page = await openAs(map, 'luc.lead')
    await page.getByRole('link', { name: 'Carte' }).click()
    await expect
      .poll(() => page.getByTestId('viewport-count').textContent(), { timeout: 20_000 })
      .toMatch(/[1-9]\d* points? ou groupes?/)
    await drawPerimeter(page, 40)
    const ids = await selectedIds(page)
    expect(ids.length).toBeGreaterThan(1)
    // A technician's day, not a district: the tour builder takes at most 80 stops.
    expect(ids.length).toBeLessThanOrEqual(80)

    // Bulk assignment, confirmed, then checked in the core.
    await page.getByLabel('Assigner à', { exact: true }).selectOption({ label: 'Marc Vautrin' })
    await page.getByRole('button', { name: 'Assigner les demandes' }).click()
    await page.getByRole('button', { name: 'Confirmer', exact: true }).click()
    await expect
      .poll(() => page.getByText(/demandes? assignées? à Marc Vautrin/).count(), { timeout: 20_000 })
      .toBe(1)
    for (const id of ids) expect((await world().core.value('request.get', { id })).assigneeId).toBe(MARC)

    // A tour of the selection, its first stop moved down, given to Tom and saved.
    await page.getByRole('button', { name: 'Construire une tournée' }).click()
    const stops = page.getByRole('list', { name: 'Arrêts de la tournée' })
    await stops.locator('li').first().waitFor()
    const before = await stops.locator('li[data-id]').evaluateAll((li) => li.map((x) => x.dataset.id!))
    await stops
      .getByRole('button', { name: /^Descendre l’arrêt/ })
      .first()
      .click()
    const reordered = await stops.locator('li[data-id]').evaluateAll((li) => li.map((x) => x.dataset.id!))
    expect(reordered).toEqual([before[1], before[0], ...before.slice(2)])
    const technician = page.getByLabel('Technicien', { exact: true })
    // The builder knows who can do which stop once the core has answered (`tours.candidates`).
    await technician.locator('optgroup').first().waitFor({ state: 'attached' })
    await technician.selectOption({ label: 'Tom Lallemand' })
    // The stops Tom cannot do (another team's, or not plannable) leave the tour in one action.
    const removeImpossible = page.getByRole('button', {
      name: /^Retirer (les \d+ arrêts impossibles|l’arrêt impossible) pour Tom/,
    })
    if ((await removeImpossible.count()) > 0) await removeImpossible.click()
    const order = await stops.locator('li[data-id]').evaluateAll((li) => li.map((x) => x.dataset.id!))
    expect(order).toEqual(reordered.filter((id) => order.includes(id)))
    expect(order.length).toBeGreaterThan(0)
    await page.getByLabel('Nom de la tournée').fill('Tournée du test')
    await page.getByRole('button', { name: 'Enregistrer la tournée' }).click()
    await expect.poll(() => page.getByText(/Tournée enregistrée/).count(), { timeout: 20_000 }).toBe(1)

    await page.screenshot({ path: join(SHOTS, 'map-tour.png') })
    const [saved] = await world().core.value('tours.list', {})
    expect(saved).toMatchObject({ name: 'Tournée du test', technicianId: TOM, stopIds: order })
    // Saving gave every stop to the technician of the tour.
    for (const id of order) expect((await world().core.value('request.get', { id })).assigneeId).toBe(TOM)

    // The team's planning lists it.
    await page.getByRole('link', { name: 'Tournées' }).click()
    await page.getByRole('radio', { name: 'Tournées de mes équipes' }).check()
    await page.getByRole('button', { name: /Tournée du test/ }).click()
    await page.getByRole('heading', { name: 'Tournée du test' }).waitFor()
    await page.context().close()

    // The technician's own tours: the same tour, its stops in the lead's order, its route sheet.
    const tom = await openAs(map, 'tom.tech')
    await tom.getByRole('link', { name: 'Tournées' }).click()
    await expect.poll(() => tom.getByRole('radio', { name: 'Mes tournées' }).isChecked()).toBe(true)
    await tom.getByRole('button', { name: /Tournée du test/ }).click()
    const tomStops = tom.getByRole('list', { name: 'Arrêts de la tournée' })
    await expect.poll(() => tomStops.getByRole('button').count()).toBe(order.length)
    const references = await Promise.all(
      order.map(async (id) => (await world().core.value('request.get', { id })).reference),
    )
    const shown = await tomStops.getByRole('button').allTextContents()
    expect(shown.map((text) => references.findIndex((ref) => text.includes(ref)))).toEqual(
      order.map((_id, i) => i),
    )
    await tom.getByRole('button', { name: 'Feuille de route' }).click()
    await tom.getByRole('heading', { name: /Feuille de route — Tom Lallemand/ }).waitFor()
    await tom.screenshot({ path: join(SHOTS, 'tour-technician-sheet.png') })
    await tom.context().close()
  })
})
