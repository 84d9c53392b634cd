/**
 * Two consoles and one server, as two agents would see them: each console is a real core
 * on its own SQLite file behind its own web bridge, in its own Chromium page; the server
 * is the reference server over real HTTP. An edit on one screen shows on the other.
 */
import { existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { launchChromium } from '../support/chromium'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startWebBridge, type WebBridge } from '../../src/main/web/bridge'
import { DEMO_PASSWORD, repoRoot } from '../support/core'
import { openSyncWorld, type SyncWorld } from '../support/syncWorld'

const shots = join(repoRoot, 'test-results')
let world: SyncWorld
let browser: Browser
const bridges: WebBridge[] = []

beforeAll(async () => {
  const staticDir = join(repoRoot, 'dist-web')
  if (!existsSync(join(staticDir, 'index.html')))
    throw new Error('dist-web is missing: run `npm run build:web`')
  mkdirSync(shots, { recursive: true })
  world = await openSyncWorld({ requests: 300 })
  browser = await launchChromium({ webgl: false })
})
afterAll(async () => {
  await browser?.close()
  for (const b of bridges) await b.close()
  await world?.close()
})

async function consolePage(name: string, login: string): Promise<Page> {
  const client = await world.client(name, login, { login: false })
  const bridge = await startWebBridge({ core: client.core, staticDir: join(repoRoot, 'dist-web') })
  bridges.push(bridge)
  const context = await browser.newContext({ locale: 'fr-FR', viewport: { width: 1400, height: 900 } })
  const page = await context.newPage()
  page.on('pageerror', (e) => console.error(`[${name} page error] ${e.message}`))
  await page.goto(bridge.openUrl)
  await page.getByRole('textbox', { name: 'Identifiant' }).fill(login)
  await page.getByLabel('Mot de passe').fill(DEMO_PASSWORD)
  await page.getByRole('button', { name: 'Se connecter' }).click()
  await page.getByRole('listbox', { name: 'Demandes' }).getByRole('option').first().waitFor()
  return page
}

describe('two consoles, one server', () => {
  it('an edit made on one screen shows on the other, and both say they are online', async () => {
    const zoe = await consolePage('zoe', 'zoe.agent')
    const luc = await consolePage('luc', 'luc.lead')
    // The first download runs right after login: "Synchronisation…" until it is done.
    for (const page of [zoe, luc])
      await expect
        .poll(() => page.getByRole('group', { name: 'Synchronisation avec le serveur' }).textContent(), {
          timeout: 20_000,
        })
        .toContain('En ligne')

    // Zoé opens the first request of her queue and edits its title.
    const list = zoe.getByRole('listbox', { name: 'Demandes' })
    const first = list.getByRole('option').first()
    const before = (await first.textContent()) ?? ''
    await first.click()
    const detail = zoe.getByRole('region', { name: 'Détail de la demande' })
    await detail.getByRole('button', { name: 'Modifier' }).click()
    const title = detail.getByRole('textbox', { name: 'Titre' })
    await title.fill('Candélabre couché par le vent, rue des Carmes')
    await detail.getByRole('button', { name: 'Enregistrer les modifications' }).click()
    await expect
      .poll(() => detail.getByRole('heading', { level: 2 }).textContent())
      .toContain('Candélabre couché')

    // Luc did nothing: his queue shows the new title within seconds.
    const lucList = luc.getByRole('listbox', { name: 'Demandes' })
    await expect
      .poll(() => lucList.textContent(), { timeout: 5000 })
      .toContain('Candélabre couché par le vent, rue des Carmes')
    expect(before).not.toContain('Candélabre couché')
    await zoe.screenshot({ path: join(shots, 'sync-zoe.png') })
    await luc.screenshot({ path: join(shots, 'sync-luc.png') })
  })
})
