/**
 * The command palette in Debian's Chromium against the real core through the web bridge: a
 * lead opens a request by typing its reference, then changes its status and assigns it
 * from the palette, the detail showing each result; the open palette passes axe.
 */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { seriousViolations } from '../support/axe'
import { openBrowserWorld, type BrowserWorld } from '../support/browser'
import { repoRoot } from '../support/core'

let world: BrowserWorld

beforeAll(async () => {
  world = await openBrowserWorld(400)
})
afterAll(async () => world?.close())

describe('the command palette', () => {
  it('opens a request by its reference, then runs an allowed transition and an assignment on it', async () => {
    const page = await world.newPage()
    await world.login(page, 'luc.lead')
    await page.getByRole('listbox', { name: 'Demandes' }).getByRole('option').first().waitFor()
    // A new request of his teams, as the core lists it to him (oldest: not the one on top).
    const { rows } = await world.core.value('queue.list', {
      filter: { status: ['new'] },
      sort: 'created_asc',
      after: null,
      limit: 1,
    })
    const { reference, title } = rows[0]!

    await page.keyboard.press('Control+k')
    const palette = page.getByRole('dialog', { name: 'Palette de commandes' })
    const field = palette.getByRole('combobox', { name: 'Commande, demande ou écran' })
    await field.waitFor()
    expect(await seriousViolations(page, '[data-testid="command-palette"]')).toEqual([])
    await field.fill(reference)
    const found = palette.getByRole('option', { name: new RegExp(`^${reference} — `) })
    await found.waitFor()
    expect(await field.getAttribute('aria-activedescendant')).toBe(await found.getAttribute('id'))
    expect(await seriousViolations(page, '[data-testid="command-palette"]')).toEqual([])
    // For the eye and the user guide.
    mkdirSync(join(repoRoot, 'test-results'), { recursive: true })
    await page.screenshot({ path: join(repoRoot, 'test-results', 'palette.png') })
    await page.keyboard.press('Enter')
    await palette.waitFor({ state: 'detached' })

    const detail = page.getByRole('region', { name: 'Détail de la demande' })
    await detail.getByRole('heading', { level: 2, name: title }).waitFor()
    expect(await detail.textContent()).toContain(reference)
    await detail.getByRole('heading', { name: 'Actions' }).waitFor()

    // The status change the transitions panel offers, from the palette.
    await page.keyboard.press('Control+k')
    await field.fill('qualifier')
    await palette.getByRole('option', { name: 'Statut : Qualifier' }).waitFor()
    await page.keyboard.press('Enter')
    await detail.getByRole('status').getByText('Statut changé : Qualifiée.').waitFor()
    expect(await detail.textContent()).toContain('Statut : Qualifiée')

    // Assigned to the first person the palette offers for it.
    await page.keyboard.press('Control+k')
    await field.fill('assigner')
    const assign = palette.getByRole('group', { name: 'Attribuer' }).getByRole('option').first()
    await assign.waitFor()
    const name = (await assign.textContent())!.replace('Assigner à ', '').trim()
    await assign.click()
    await detail.getByRole('status').getByText(`Demande assignée à ${name}.`).waitFor()
    expect(await detail.getByRole('combobox', { name: 'Agent assigné' }).inputValue()).not.toBe('')
    await page.context().close()
  })
})
