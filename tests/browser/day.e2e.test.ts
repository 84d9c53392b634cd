/**
 * The technician's day in Chromium against the real core, on one console in local mode (no
 * server: one session at a time, so Luc logs out and Tom logs in on the same workstation):
 * Luc builds a tour on the map, the builder marks the stops Tom cannot do and removes them in
 * one action, the save plans every stop; Tom lands on « Ma journée », starts and finishes two
 * stops at a 1024×768 touch screen's size; Luc sees the progress in his tours list, and it
 * follows live when a stop moves. axe finds no serious or critical violation on the screens.
 */
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { drawPerimeter, openAs, SHOTS, useMapWorld } from '../support/mapWalk'
import { seriousViolations } from '../support/axe'

const map = useMapWorld(1500)
const world = () => map.world
const TOM = 'agent-tom.tech'

const stopIdsOf = (page: Page) =>
  page
    .getByRole('list', { name: 'Arrêts de la tournée' })
    .locator('li[data-id]')
    .evaluateAll((li) => li.map((x) => x.dataset.id!))

/** Start then finish the first stop that offers « Démarrer »; @returns its reference. */
async function startAndFinish(page: Page, report: string): Promise<string> {
  const start = page.getByRole('button', { name: /^Démarrer l’étape / }).first()
  const label = (await start.getAttribute('aria-label'))!
  const reference = label.replace('Démarrer l’étape ', '')
  const box = (await start.boundingBox())!
  // A finger, not a mouse pointer: the targets are at least 44 px.
  expect(box.height).toBeGreaterThanOrEqual(44)
  await start.click()
  const finish = page.getByRole('button', { name: `Terminer l’étape ${reference}` })
  await finish.waitFor()
  await finish.click()
  await page.getByLabel('Compte rendu').fill(report)
  await page.getByLabel('Temps passé (minutes)').fill('25')
  await page.getByRole('button', { name: 'Valider la fin de l’intervention' }).click()
  await expect
    .poll(() =>
      page
        .getByRole('status')
        .filter({ hasText: `Étape ${reference} : Réalisée` })
        .count(),
    )
    .toBe(1)
  return reference
}

describe('the technician’s day', () => {
  it('a tour saved for Tom plans its stops; Tom works two of them from « Ma journée »; Luc sees it', async () => {
    const luc = await openAs(map, 'luc.lead')
    await luc.getByRole('link', { name: 'Carte' }).click()
    await expect
      .poll(() => luc.getByTestId('viewport-count').textContent(), { timeout: 20_000 })
      .toMatch(/[1-9]\d* points? ou groupes?/)
    await drawPerimeter(luc, 60)
    await luc.getByRole('button', { name: 'Construire une tournée' }).click()
    await luc.getByRole('list', { name: 'Arrêts de la tournée' }).locator('li').first().waitFor()

    // The builder offers Tom and says which stops he cannot do (another team's, not plannable).
    const technician = luc.getByLabel('Technicien', { exact: true })
    await expect.poll(() => technician.locator('optgroup').count(), { timeout: 10_000 }).toBeGreaterThan(0)
    const unable = await technician
      .locator('optgroup[label="Ne peuvent pas faire toute la tournée"] option')
      .allTextContents()
    await technician.selectOption({ label: 'Tom Lallemand' })
    const problems = luc.getByTestId('tour-problems')
    if (unable.map((x) => x.trim()).includes('Tom Lallemand')) {
      await problems.waitFor()
      expect(await luc.getByText(/^Impossible pour Tom Lallemand : /).count()).toBeGreaterThan(0)
      await problems
        .getByRole('button', { name: /^Retirer (les \d+ arrêts impossibles|l’arrêt impossible)/ })
        .click()
    }
    await expect.poll(() => problems.count()).toBe(0)
    const order = await stopIdsOf(luc)
    expect(order.length).toBeGreaterThanOrEqual(2)
    expect(await seriousViolations(luc, '.tour-builder')).toEqual([])

    await luc.getByLabel('Nom de la tournée').fill('Journée de Tom')
    await luc.getByRole('button', { name: 'Enregistrer la tournée' }).click()
    // Local mode: no promise of a synchronisation that will never come.
    const confirmation = luc.getByText(/Tournée enregistrée à .* sur ce poste/)
    await confirmation.waitFor({ timeout: 20_000 })
    expect(await luc.getByText(/prochaine synchronisation/).count()).toBe(0)
    // Every stop is now Tom's and planned (or already under way).
    for (const id of order) {
      const stop = await world().core.value('request.get', { id })
      expect(stop.assigneeId).toBe(TOM)
      expect(['scheduled', 'in_progress', 'done', 'closed']).toContain(stop.status)
    }
    await luc.context().close()

    // Tom, on a 1024×768 touch screen, lands on « Ma journée ».
    const tom = await openAs(map, 'tom.tech', { width: 1024, height: 768 })
    await tom.getByRole('heading', { level: 1, name: 'Ma journée' }).waitFor()
    expect(await tom.getByRole('link', { name: 'Ma journée' }).getAttribute('aria-current')).toBe('page')
    const stops = tom.getByRole('list', { name: 'Étapes de la tournée, dans l’ordre' })
    await expect.poll(() => stops.locator(':scope > li').count()).toBe(order.length)
    expect(await seriousViolations(tom)).toEqual([])
    await tom.screenshot({ path: join(SHOTS, 'day-technician-start.png') })
    // Stops already done before the tour (the perimeter takes what the map shows) count as done.
    const doneBefore = Number((await tom.getByTestId('day-progress').textContent())!.match(/^\d+/)![0])
    const first = await startAndFinish(tom, 'Nid-de-poule rebouché à froid.')
    const second = await startAndFinish(tom, 'Plaque remise en place.')
    expect(first).not.toBe(second)
    await expect
      .poll(() => tom.getByTestId('day-progress').textContent())
      .toMatch(new RegExp(`^${doneBefore + 2} étapes faites sur ${order.length}`))
    // The report went with the step, as an internal note the office reads.
    const ids = await Promise.all(
      order.map(async (id) => [id, (await world().core.value('request.get', { id })).reference] as const),
    )
    const firstId = ids.find(([, ref]) => ref === first)![0]
    const notes = await world().core.value('request.comments', { id: firstId })
    expect(notes.map((c) => c.body).join('\n')).toContain('Nid-de-poule rebouché à froid.')
    await tom.screenshot({ path: join(SHOTS, 'day-technician.png') })
    expect(await seriousViolations(tom)).toEqual([])
    // The route on the map: the tours' own layer and list, in the lead's order.
    await tom.getByRole('button', { name: 'Voir la tournée sur la carte' }).click()
    const onMap = tom.getByRole('list', { name: 'Arrêts de la tournée' })
    await expect.poll(() => onMap.locator('li[data-id]').count(), { timeout: 20_000 }).toBe(order.length)
    expect(await stopIdsOf(tom)).toEqual(order)
    await tom.context().close()

    // Luc's tours list shows how far the day has gone, and follows it live.
    const lead = await openAs(map, 'luc.lead')
    await lead.getByRole('link', { name: 'Tournées' }).click()
    await lead.getByRole('radio', { name: 'Tournées de mes équipes' }).check()
    const [saved] = await world().core.value('tours.list', {})
    const progress = lead.getByTestId(`tour-progress-${saved!.id}`)
    const before = (await world().core.value('tours.progress', { ids: [saved!.id] }))[saved!.id]!
    expect(before.done).toBe(doneBefore + 2)
    await expect
      .poll(() => progress.textContent())
      .toContain(`${before.done} sur ${order.length} arrêts faits`)
    const waiting = (await world().core.value('request.getMany', { ids: order })).find(
      (r) => r.status === 'scheduled',
    )
    if (waiting) {
      // Luc may start and finish a stop himself (a lead can): the list follows without a reload.
      await world().core.value('request.transition', { id: waiting.id, transitionId: 'start' })
      await world().core.value('request.transition', { id: waiting.id, transitionId: 'finish' })
      await expect
        .poll(() => progress.textContent(), { timeout: 10_000 })
        .toContain(`${before.done + 1} sur ${order.length} arrêts faits`)
    }
    await lead.screenshot({ path: join(SHOTS, 'tours-progress.png') })
    expect(await seriousViolations(lead)).toEqual([])
    await lead.context().close()
  })
})
