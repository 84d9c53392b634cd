/**
 * Tried as a new user would, in Debian's Chromium against the real core over the web bridge:
 * log in, filter, search, open, fire a transition that needs a field, see the history,
 * assign as a lead, and see a hostile description rendered as plain text.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseConfig } from '../../src/core/config'
import { XSS_REQUEST_ID } from '../../src/main/cache/demoSeed'
import { createConsole } from '../../src/main/console'
import { startWebBridge } from '../../src/main/web/bridge'
import { seriousViolations } from '../support/axe'
import { openBrowserWorld, type BrowserWorld } from '../support/browser'
import { DEMO_PASSWORD, repoRoot } from '../support/core'

let world: BrowserWorld
const shots = join(repoRoot, 'test-results')

beforeAll(async () => {
  mkdirSync(shots, { recursive: true })
  world = await openBrowserWorld(1500)
})
afterAll(async () => world?.close())

describe('an agent works the queue', () => {
  it('logs in, filters, searches, opens a request and rejects it with a reason', async () => {
    const page = await world.newPage()
    await world.login(page, 'wrong.login')
    await expect.poll(() => page.getByRole('alert').first().textContent()).toBeTruthy()

    await world.login(page, 'zoe.agent')
    const list = page.getByRole('listbox', { name: 'Demandes' })
    await list.getByRole('option').first().waitFor()

    // Filter on a status: every row shown then carries that status.
    await page.getByRole('combobox', { name: 'Statut' }).selectOption('new')
    await expect
      .poll(async () => {
        const texts = await list.getByRole('option').allTextContents()
        return texts.length > 0 && texts.every((t) => t.includes('Nouvelle'))
      })
      .toBe(true)

    // Search without accents finds the accented word.
    await page.keyboard.press('Escape')
    await page.getByRole('searchbox', { name: 'Rechercher' }).fill('"NEAR( eclairage')
    await page.waitForTimeout(600)
    expect(await page.getByRole('alert').count()).toBe(0)
    await page.getByRole('searchbox', { name: 'Rechercher' }).fill('')
    await list.getByRole('option').first().waitFor()

    // Keyboard: focus the list, open the first request with Enter.
    await list.focus()
    await page.keyboard.press('j')
    await page.keyboard.press('k')
    await page.keyboard.press('Enter')
    const detail = page.getByRole('region', { name: 'Détail de la demande' })
    await detail.getByRole('heading', { level: 2 }).waitFor()

    // Reject needs a reason: refused without, accepted with.
    await detail.getByRole('button', { name: 'Rejeter' }).click()
    const reason = detail.getByRole('textbox', { name: 'Motif du rejet' })
    await reason.waitFor()
    await detail.getByRole('button', { name: 'Confirmer' }).click()
    await expect.poll(() => detail.getByRole('alert').count()).toBeGreaterThan(0)
    await reason.fill('Relève de la compétence du département')
    await detail.getByRole('button', { name: 'Confirmer' }).click()
    await detail.getByRole('status').filter({ hasText: 'Rejet' }).first().waitFor()

    // The history shows the step, and the cache agrees.
    await expect.poll(() => detail.textContent()).toContain('Relève de la compétence du département')
    const rejected = world.core.db
      .prepare("SELECT count(*) AS n FROM requests WHERE status = 'rejected' AND fields LIKE '%département%'")
      .get() as { n: number }
    expect(rejected.n).toBe(1)
    await page.screenshot({ path: join(shots, 'queue-agent.png') })
    await page.context().close()
  })

  it('renders a hostile description as inert text', async () => {
    const page = await world.newPage()
    let dialogs = 0
    page.on('dialog', async (d) => {
      dialogs++
      await d.dismiss()
    })
    await world.login(page, 'zoe.agent')
    // An old request (the newest hold no test strings): found by its reference.
    const reference = world.core.db
      .prepare('SELECT reference FROM requests WHERE id = ?')
      .pluck()
      .get(XSS_REQUEST_ID) as string
    await page.getByRole('searchbox', { name: 'Rechercher' }).fill(reference)
    const option = page.locator(`#queue-row-${XSS_REQUEST_ID}`)
    await option.waitFor()
    await option.click()
    const detail = page.getByRole('region', { name: 'Détail de la demande' })
    await expect.poll(() => detail.textContent()).toContain('<script>alert(2)</script>')
    expect(await detail.locator('img, script').count()).toBe(0)
    expect(dialogs).toBe(0)
    await page.context().close()
  })

  it('finds « Vandœuvre » typed « Vandoeuvre », and says where a fruitless search looked', async () => {
    const page = await world.newPage()
    await world.login(page, 'zoe.agent')
    const list = page.getByRole('listbox', { name: 'Demandes' })
    const search = page.getByRole('searchbox', { name: 'Rechercher' })
    const firstId = async () =>
      (await list.getByRole('option').first().getAttribute('id'))?.replace('queue-row-', '')
    await search.fill('Vandoeuvre')
    await expect.poll(firstId).toBeTruthy()
    const found = (await firstId())!
    const row = world.core.db
      .prepare('SELECT title, description, address FROM requests WHERE id = ?')
      .get(found) as Record<string, string | null>
    expect(Object.values(row).join(' ')).toContain('Vandœuvre')
    await search.fill('vandœuvre')
    await expect.poll(firstId).toBe(found)

    await search.fill('xyzzy')
    const empty = page.getByRole('status').filter({ hasText: 'Aucune demande pour « xyzzy »' })
    await empty.waitFor()
    expect(await empty.textContent()).toContain('dans vos équipes Voirie, Voirie – secteur Nord.')
    await page.getByRole('button', { name: 'Effacer la recherche' }).click()
    await expect.poll(() => list.getByRole('option').count()).toBeGreaterThan(0)
    expect(await search.inputValue()).toBe('')
    await page.context().close()
  })
})

describe('a lead dispatches', () => {
  it('assigns a request to a teammate', async () => {
    const page = await world.newPage()
    await world.login(page, 'luc.lead')
    const list = page.getByRole('listbox', { name: 'Demandes' })
    await page.getByRole('combobox', { name: 'Assigné' }).selectOption({ label: 'Non assigné' })
    await page.waitForTimeout(400)
    await list.getByRole('option').first().click()
    const detail = page.getByRole('region', { name: 'Détail de la demande' })
    const select = detail.getByRole('combobox', { name: 'Agent assigné' })
    await select.waitFor()
    const options = await select.locator('option').allTextContents()
    const teammate = options.find((o) => o.includes('Vautrin')) ?? options[1]!
    await select.selectOption({ label: teammate })
    await detail.getByRole('button', { name: 'Assigner' }).click()
    await expect
      .poll(
        () =>
          (
            world.core.db.prepare("SELECT count(*) AS n FROM outbox WHERE op = 'assign'").get() as {
              n: number
            }
          ).n,
      )
      .toBeGreaterThan(0)
    await page.screenshot({ path: join(shots, 'queue-lead.png') })
    await page.context().close()
  })
})

describe('the Settings screen', () => {
  it('shows a key IT locked with its padlock, the files to an admin, and passes axe', async () => {
    // A console of its own, whose machine file locked `auth.idleLockMinutes`.
    const dataDir = mkdtempSync(join(tmpdir(), 'grc-settings-e2e-'))
    const core = await createConsole({
      config: parseConfig({ demo: { requests: 50, seed: 7 }, auth: { idleLockMinutes: 10 } }, 'test'),
      resourcesDir: join(repoRoot, 'resources'),
      userDataDir: dataDir,
      loadedConfig: {
        origins: { 'auth.idleLockMinutes': 'machine' },
        locked: ['auth.idleLockMinutes'],
        layers: [{ kind: 'machine', file: '/etc/grc-console/config.json' }],
      },
    })
    const bridge = await startWebBridge({ core, staticDir: join(repoRoot, 'dist-web') })
    const context = await world.browser.newContext({
      locale: 'fr-FR',
      viewport: { width: 1400, height: 900 },
    })
    try {
      const page = await context.newPage()
      await page.goto(bridge.openUrl)
      await page.getByRole('textbox', { name: 'Identifiant' }).fill('alex.admin')
      await page.getByLabel('Mot de passe').fill(DEMO_PASSWORD)
      await page.getByRole('button', { name: 'Se connecter' }).click()
      await page.getByRole('link', { name: 'Paramètres' }).click()
      await page.getByRole('heading', { name: 'Paramètres', level: 1 }).waitFor()

      await page.getByRole('searchbox', { name: 'Chercher une clé' }).fill('idleLock')
      const row = page.getByRole('row', { name: /auth\.idleLockMinutes/ })
      await row.waitFor()
      await expect.poll(() => row.textContent()).toContain('verrouillée par le service informatique')
      expect(await row.textContent()).toContain('Machine')
      expect(await page.getByRole('region', { name: 'Fichiers de configuration' }).textContent()).toContain(
        '/etc/grc-console/config.json',
      )
      const download = page.waitForEvent('download')
      await page.getByRole('button', { name: 'Exporter un diagnostic' }).click()
      expect((await download).suggestedFilename()).toMatch(/^grc-diagnostic-\d{8}-\d{4}\.zip$/)

      expect(await seriousViolations(page, '.settings-view')).toEqual([])
      await page.screenshot({ path: join(shots, 'settings-admin.png') })
    } finally {
      await context.close()
      await bridge.close()
      await core.close()
      rmSync(dataDir, { recursive: true, force: true })
    }
  })
})
