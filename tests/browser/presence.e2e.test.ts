/**
 * Who is on a request between two consoles (issue 15), as the two agents see it: Zoé and
 * Luc open the same request, each detail names the other; when Zoé edits the title, Luc's
 * says so; when she closes the request, her line goes from Luc's screen. Two real cores
 * behind their own web bridges, one reference server over real HTTP, two Chromium pages.
 */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { seriousViolations } from '../support/axe'
import { repoRoot } from '../support/core'
import { openSyncBrowser } from '../support/syncBrowser'
import { openSyncWorld, type SyncWorld } from '../support/syncWorld'

const shots = join(repoRoot, 'test-results')
let world: SyncWorld
let consoles: Awaited<ReturnType<typeof openSyncBrowser>>

beforeAll(async () => {
  mkdirSync(shots, { recursive: true })
  world = await openSyncWorld({ requests: 200 })
  consoles = await openSyncBrowser(world)
})
afterAll(async () => {
  await consoles?.close()
  await world?.close()
})

const presenceOf = (page: Page) =>
  page
    .getByRole('region', { name: 'Détail de la demande' })
    .getByRole('status', { name: 'Qui est sur cette demande' })

it('shows on each console who else has the request open, then what they edit, until they leave', async () => {
  const zoe = await consoles.consolePage('zoe', 'zoe.agent')
  const luc = await consoles.consolePage('luc', 'luc.lead')

  // Zoé's first request: one of her teams', so Luc (lead of the same teams) sees it too.
  const first = zoe.page.getByRole('listbox', { name: 'Demandes' }).getByRole('option').first()
  const id = (await first.getAttribute('id'))!.replace('queue-row-', '')
  const { reference } = await zoe.client.value('request.get', { id })

  await luc.page.getByRole('searchbox', { name: 'Rechercher' }).fill(reference)
  await luc.page.locator(`#queue-row-${id}`).click()
  await expect.poll(() => presenceOf(luc.page).textContent()).toBe('')

  await first.click()
  await expect
    .poll(() => presenceOf(luc.page).textContent(), { timeout: 10_000 })
    .toContain('Zoé Marchal consulte cette demande')
  await expect
    .poll(() => presenceOf(zoe.page).textContent(), { timeout: 10_000 })
    .toContain('Luc Henrion consulte cette demande')

  // Zoé opens the edit form: the focus lands on the title, and Luc reads it.
  await zoe.page
    .getByRole('region', { name: 'Détail de la demande' })
    .getByRole('button', { name: 'Modifier' })
    .click()
  await expect
    .poll(() => presenceOf(luc.page).textContent(), { timeout: 10_000 })
    .toContain('Zoé Marchal modifie le titre')
  expect(await seriousViolations(luc.page, '.request-detail')).toEqual([])
  await luc.page.screenshot({ path: join(shots, 'presence-luc.png') })

  // Zoé closes the request: her line goes from Luc's screen without waiting for it to run out.
  await zoe.page.getByRole('button', { name: 'Fermer le détail' }).click()
  await expect.poll(() => presenceOf(luc.page).textContent(), { timeout: 10_000 }).toBe('')
})
