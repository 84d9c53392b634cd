/**
 * The browser tests' world: a real core on a temp SQLite file, the web bridge over real
 * HTTP on loopback, and Debian's Chromium driven by playwright-core.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { randomUUID } from 'node:crypto'
import { inject } from 'vitest'
import { createShellLog } from '../../src/main/app/log'
import { launchChromium } from './chromium'
import { startWebBridge, type WebBridge } from '../../src/main/web/bridge'
import { openTestCore, repoRoot, DEMO_PASSWORD, type TestCore } from './core'

export interface BrowserWorld {
  core: TestCore
  bridge: WebBridge
  browser: Browser
  newPage(): Promise<Page>
  login(page: Page, login: string): Promise<void>
  close(): Promise<void>
}

export async function openBrowserWorld(requests = 1500): Promise<BrowserWorld> {
  const staticDir = join(repoRoot, 'dist-web')
  if (!existsSync(join(staticDir, 'index.html')))
    throw new Error('dist-web is missing: run `npm run build:web` first (npm run test:browser does)')
  // The app's own log, in the folder the browser project scans for personal data at the end.
  const shellLog = createShellLog({ dir: join(inject('browserLogDir'), randomUUID()), echo: () => {} })
  shellLog.info('start', `monde de test du navigateur : ${requests} demandes`)
  const core = await openTestCore({ requests, logError: (where, error) => shellLog.error(where, error) })
  const bridge = await startWebBridge({ core: core.core, staticDir })
  const browser = await launchChromium({ webgl: false })
  return {
    core,
    bridge,
    browser,
    async newPage() {
      const context = await browser.newContext({ locale: 'fr-FR', viewport: { width: 1400, height: 900 } })
      await core.call('session.logout', {})
      const page = await context.newPage()
      page.on('pageerror', (e) => console.error(`[page error] ${e.message}`))
      await page.goto(bridge.openUrl)
      return page
    },
    async login(page, login) {
      await page.getByRole('textbox', { name: 'Identifiant' }).fill(login)
      await page.getByLabel('Mot de passe').fill(DEMO_PASSWORD)
      await page.getByRole('button', { name: 'Se connecter' }).click()
    },
    async close() {
      await browser.close()
      await bridge.close()
      core.close()
    },
  }
}
