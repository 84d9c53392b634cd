/**
 * Consoles in Chromium against one reference server (a sync world): each console is a real
 * core on its own SQLite file, behind its own web bridge, in its own browser context,
 * logged in and online, as two agents at their desks.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { expect } from 'vitest'
import { startWebBridge, type WebBridge } from '../../src/main/web/bridge'
import { launchChromium } from './chromium'
import { DEMO_PASSWORD, repoRoot } from './core'
import type { SyncClient, SyncWorld } from './syncWorld'

export interface SyncConsole {
  page: Page
  client: SyncClient
}

export async function openSyncBrowser(world: SyncWorld) {
  const staticDir = join(repoRoot, 'dist-web')
  if (!existsSync(join(staticDir, 'index.html')))
    throw new Error('dist-web is missing: run `npm run build:web` first (npm run test:browser does)')
  const browser: Browser = await launchChromium({ webgl: false })
  const bridges: WebBridge[] = []
  return {
    browser,
    /** A console logged in as `login`, its queue shown and its sync « En ligne ». */
    async consolePage(name: string, login: string): Promise<SyncConsole> {
      const client = await world.client(name, login, { login: false })
      const bridge = await startWebBridge({ core: client.core, staticDir })
      bridges.push(bridge)
      const context = await browser.newContext({ locale: 'fr-FR', viewport: { width: 1400, height: 900 } })
      const page = await context.newPage()
      page.on('pageerror', (e) => console.error(`[${name} page error] ${e.message}`))
      await page.goto(bridge.openUrl)
      await page.getByRole('textbox', { name: 'Identifiant' }).fill(login)
      await page.getByLabel('Mot de passe').fill(DEMO_PASSWORD)
      await page.getByRole('button', { name: 'Se connecter' }).click()
      await page.getByRole('listbox', { name: 'Demandes' }).getByRole('option').first().waitFor()
      await expect
        .poll(() => page.getByRole('group', { name: 'Synchronisation avec le serveur' }).textContent(), {
          timeout: 20_000,
        })
        .toContain('En ligne')
      return { page, client }
    },
    async close() {
      await browser.close()
      for (const b of bridges) await b.close()
    },
  }
}
