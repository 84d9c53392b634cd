/**
 * What the map's browser tests share: one console world with demo data and a Chromium with
 * WebGL (SwiftShader) for the whole file, a page logged in as someone with the tile server
 * unreachable, and a perimeter drawn the way a lead draws it with the mouse.
 */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, expect } from 'vitest'
import { openBrowserWorld, type BrowserWorld } from './browser'
import { launchChromium } from './chromium'
import { repoRoot } from './core'

/** Screenshots for the user guide and for a failing run. */
export const SHOTS = join(repoRoot, 'test-results')

export interface MapWorld {
  readonly world: BrowserWorld
  readonly browser: Browser
}

/** Open the world and the browser before the file's tests, close them after. */
export function useMapWorld(requests = 1500): MapWorld {
  let world: BrowserWorld | undefined
  let browser: Browser | undefined
  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true })
    world = await openBrowserWorld(requests)
    browser = await launchChromium({ webgl: true })
  })
  afterAll(async () => {
    await browser?.close()
    await world?.close()
  })
  return {
    get world() {
      return world!
    },
    get browser() {
      return browser!
    },
  }
}

/** A fresh page logged in as `login` (the previous session closed), on the queue. */
export async function openAs(
  { world, browser }: MapWorld,
  login: string,
  viewport = { width: 1400, height: 900 },
): Promise<Page> {
  const context = await browser.newContext({ locale: 'fr-FR', viewport, hasTouch: viewport.width <= 1024 })
  await world.core.call('session.logout', {})
  const page = await context.newPage()
  page.on('pageerror', (e) => console.error(`[page error] ${e.message}`))
  // No test talks to the real tile server: offline is what the map must survive.
  await page.route('https://tile.openstreetmap.org/**', (route) => route.abort())
  await page.goto(world.bridge.openUrl)
  await world.login(page, login)
  await page.getByRole('link', { name: 'File' }).waitFor()
  return page
}

/** Draw a quadrilateral of about 2r pixels around the map's centre, the way a lead does with the mouse. */
export async function drawPerimeter(page: Page, r: number): Promise<void> {
  await page.getByRole('button', { name: 'Sélectionner une zone' }).click()
  const box = (await page.getByRole('application', { name: /^Carte/ }).boundingBox())!
  const cx = box.x + box.width / 2
  const cy = box.y + box.height / 2
  for (const [x, y] of [
    [cx - r, cy - 0.8 * r],
    [cx + 0.9 * r, cy - r],
    [cx + r, cy + 0.8 * r],
    [cx - 0.8 * r, cy + r],
    [cx - r, cy - 0.8 * r],
  ] as const) {
    await page.mouse.click(x, y)
    await page.waitForTimeout(150)
  }
  await expect
    .poll(() => page.getByTestId('selection-count').textContent(), { timeout: 20_000 })
    .toMatch(/[1-9]\d* demandes? sélectionnées?/)
}
