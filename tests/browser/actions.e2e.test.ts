/**
 * The screen follows the core, in Debian's Chromium against the real core: the DPO reads a
 * request with no control she would be refused; an agent sees her actions, with the blocked
 * steps folded into one line under them; « Compact » keeps every text at 13 px or more.
 */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { seriousViolations } from '../support/axe'
import { openBrowserWorld, type BrowserWorld } from '../support/browser'
import { repoRoot } from '../support/core'

let world: BrowserWorld
/** Screenshots, for the eye and the user guide. */
const shots = join(repoRoot, 'test-results')

beforeAll(async () => {
  mkdirSync(shots, { recursive: true })
  world = await openBrowserWorld(400)
})
afterAll(async () => world?.close())

/** Log in as `login` and open the first request of the queue. */
async function openFirstRequest(login: string) {
  const page = await world.newPage()
  await world.login(page, login)
  const list = page.getByRole('listbox', { name: 'Demandes' })
  await list.getByRole('option').first().click()
  const detail = page.getByRole('region', { name: 'Détail de la demande' })
  await detail.getByRole('heading', { level: 2 }).waitFor()
  await detail.getByRole('heading', { name: 'Actions' }).waitFor()
  return { page, detail }
}

/**
 * The smallest computed font size of any shown element with text of its own (run in the page:
 * a string, since these tests are typed without the DOM).
 */
const SMALLEST_TEXT = `(() => {
  let smallest = Infinity
  for (const el of document.body.querySelectorAll('*')) {
    const ownText = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim() !== '')
    const style = getComputedStyle(el)
    if (!ownText || style.display === 'none' || style.visibility === 'hidden' || el.closest('.sr-only')) continue
    smallest = Math.min(smallest, parseFloat(style.fontSize))
  }
  return smallest
})()`
const smallestText = (page: Page) => page.evaluate<number>(SMALLEST_TEXT)

describe('the detail pane offers only what the core allows', () => {
  it('gives the DPO no « Modifier », no comment form, no assignment', async () => {
    const { page, detail } = await openFirstRequest('dina.dpo')
    await detail.getByText('Lecture seule : votre rôle ne permet pas de modifier les demandes.').waitFor()
    expect(await detail.getByRole('button', { name: 'Modifier' }).count()).toBe(0)
    expect(await detail.getByRole('button', { name: 'Ajouter le commentaire' }).count()).toBe(0)
    expect(await detail.getByRole('textbox', { name: 'Commentaire' }).count()).toBe(0)
    expect(await detail.getByRole('button', { name: 'Assigner' }).count()).toBe(0)
    expect(await detail.locator('[data-transition]').count()).toBe(0)
    expect(await detail.getByRole('button', { name: /étapes? indisponibles?/ }).count()).toBe(0)
    // Reading stays hers: the notes, and the citizen on demand.
    await detail.getByRole('heading', { name: 'Notes internes et réponses' }).waitFor()
    expect(await seriousViolations(page)).toEqual([])
    await page.screenshot({ path: join(shots, 'detail-dpo.png') })
    await page.context().close()
  })

  it('gives an agent her actions, the blocked steps one folded line under them', async () => {
    const { page, detail } = await openFirstRequest('zoe.agent')
    await detail.getByRole('button', { name: 'Modifier' }).waitFor()
    await detail.getByRole('textbox', { name: 'Commentaire' }).waitFor()
    expect(await detail.getByRole('button', { name: 'Assigner' }).count()).toBe(0)
    const toggle = detail.getByRole('button', { name: /^\d+ étapes? indisponibles? — pourquoi \?$/ })
    expect(await toggle.getAttribute('aria-expanded')).toBe('false')
    const list = page.locator('#blocked-list')
    expect(await list.isVisible()).toBe(false)
    // The folded line comes before the request's information.
    const top = async (selector: string) => (await page.locator(selector).boundingBox())!.y
    expect(await top('.blocked')).toBeLessThan(await top('#fields-title'))
    await toggle.click()
    expect(await toggle.getAttribute('aria-expanded')).toBe('true')
    expect(await list.isVisible()).toBe(true)
    expect(await seriousViolations(page)).toEqual([])
    await page.screenshot({ path: join(shots, 'detail-agent.png') })
    await page.context().close()
  })

  it('keeps every text at 13 px or more, comfortable and compact', async () => {
    const { page } = await openFirstRequest('luc.lead')
    expect(await smallestText(page)).toBeGreaterThanOrEqual(13)
    const display = page.getByRole('group', { name: 'Affichage' })
    await display.getByRole('button', { name: 'Compact' }).click()
    await expect.poll(() => page.locator('html').getAttribute('data-density')).toBe('compact')
    expect(await smallestText(page)).toBeGreaterThanOrEqual(13)
    expect(await seriousViolations(page)).toEqual([])
    await page.screenshot({ path: join(shots, 'detail-lead-compact.png') })
    await page.context().close()
  })
})
