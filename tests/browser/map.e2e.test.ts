/**
 * The map screen in Chromium against the real core over the web bridge: the viewport's
 * requests show, a polygon drawn with the mouse selects exactly what the core returns for
 * it, and with the tile server unreachable the outline and the dots still show.
 *
 * WebGL: the shared world launches Chromium with --disable-gpu, where WebGL is off. The
 * points layer needs it, so this file drives its own Chromium with SwiftShader (software
 * GL) against the same core and bridge.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openBrowserWorld, type BrowserWorld } from '../support/browser'
import { repoRoot } from '../support/core'

let world: BrowserWorld
let browser: Browser
const shots = join(repoRoot, 'test-results')

beforeAll(async () => {
  mkdirSync(shots, { recursive: true })
  world = await openBrowserWorld(1500)
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--use-angle=swiftshader',
      '--enable-unsafe-swiftshader',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  })
})
afterAll(async () => {
  await browser?.close()
  await world?.close()
})

/** Colours of the layers (src/renderer/composables/mapStyle.ts). */
const COLOURS = {
  outline: [0x3a, 0x3a, 0x3a],
  cluster: [0x00, 0x00, 0x91],
  // The dots' palette's first colours (by status, statuses sorted by id).
  open: [0x00, 0x63, 0xcb],
  closed: [0x18, 0x75, 0x3c],
  red: [0xce, 0x05, 0x00],
} as const

interface MapPage {
  page: Page
  /** Messages the page printed about the Content-Security-Policy. */
  cspViolations: string[]
}

/** Log in as zoe.agent with the tile server unreachable, and open the map. */
async function openMap(): Promise<MapPage> {
  const context = await browser.newContext({ locale: 'fr-FR', viewport: { width: 1400, height: 900 } })
  await world.core.call('session.logout', {})
  const page = await context.newPage()
  const cspViolations: string[] = []
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text())
  })
  page.on('pageerror', (e) => console.error(`[page error] ${e.message}`))
  // No test talks to the real tile server: offline is what the map must survive.
  await page.route('https://tile.openstreetmap.org/**', (route) => route.abort())
  await page.goto(world.bridge.openUrl)
  await world.login(page, 'zoe.agent')
  await page.getByRole('link', { name: 'Carte' }).click()
  await page.getByRole('region', { name: 'Carte des demandes' }).waitFor()
  await expect
    .poll(() => page.getByTestId('viewport-count').textContent(), { timeout: 20_000 })
    .toMatch(/[1-9]\d* points? ou groupes? dans cette vue/)
  return { page, cspViolations }
}

/**
 * Counts, in the page, the pixels of a PNG close to each colour. Plain JavaScript in a string:
 * it runs in Chromium, and this file is typed for Node (no DOM types).
 */
const COUNT_COLOURS = `async ({ b64, colours }) => {
  const img = new Image()
  img.src = 'data:image/png;base64,' + b64
  await img.decode()
  const canvas = document.createElement('canvas')
  canvas.width = img.width
  canvas.height = img.height
  const ctx = canvas.getContext('2d')
  ctx.drawImage(img, 0, 0)
  const data = ctx.getImageData(0, 0, img.width, img.height).data
  const counts = Object.fromEntries(Object.keys(colours).map((k) => [k, 0]))
  for (let i = 0; i < data.length; i += 4)
    for (const [name, [r, g, b]] of Object.entries(colours))
      if (Math.abs(data[i] - r) + Math.abs(data[i + 1] - g) + Math.abs(data[i + 2] - b) <= 24) counts[name]++
  return counts
}`

/** Pixels of the map frame close to each layer colour, counted in a screenshot (saved to `file`). */
async function colourCounts(page: Page, file?: string): Promise<Record<keyof typeof COLOURS, number>> {
  const png = await page.locator('.map-frame').screenshot()
  if (file) writeFileSync(file, png)
  const args = JSON.stringify({ b64: png.toString('base64'), colours: COLOURS })
  return page.evaluate(`(${COUNT_COLOURS})(${args})`)
}

describe('the map of requests', () => {
  it('selects with a drawn polygon exactly the requests the core finds inside it, and exports them', async () => {
    const { page, cspViolations } = await openMap()
    await page.getByRole('button', { name: 'Sélectionner une zone' }).click()
    await expect
      .poll(() => page.getByRole('button', { name: 'Sélectionner une zone' }).getAttribute('aria-pressed'))
      .toBe('true')

    const box = (await page.getByRole('application', { name: /^Carte/ }).boundingBox())!
    const cx = box.x + box.width / 2
    const cy = box.y + box.height / 2
    // A quadrilateral around the centre (Nancy), closed by clicking its first corner again.
    const corners = [
      [cx - 150, cy - 110],
      [cx + 140, cy - 130],
      [cx + 160, cy + 120],
      [cx - 130, cy + 140],
      [cx - 150, cy - 110],
    ] as const
    for (const [x, y] of corners) {
      await page.mouse.click(x, y)
      await page.waitForTimeout(150)
    }

    const status = page.getByTestId('selection-count')
    await expect.poll(() => status.textContent(), { timeout: 20_000 }).toMatch(/\d+ demandes? sélectionnées?/)
    const polygon = JSON.parse((await page.locator('output[data-polygon]').getAttribute('data-polygon'))!)
    expect(polygon.type).toBe('Polygon')
    const ring = polygon.coordinates[0] as number[][]
    expect(ring).toHaveLength(5)
    expect(ring[0]).toEqual(ring[4])

    const expected = (await world.core.value('map.select', { polygon, limit: 5000 })).points
      .map((p) => p.id)
      .sort()
    expect(expected.length).toBeGreaterThan(0)
    const list = page.getByRole('list', { name: 'Demandes sélectionnées' })
    const shownIds = await list
      .locator('li[data-id]')
      .evaluateAll((items) => items.map((li) => li.getAttribute('data-id')))
    expect(shownIds.sort()).toEqual(expected)
    expect(await status.textContent()).toContain(`${expected.length} demande`)

    // Once every request's details are in, the CSV holds one line per selected request.
    const exportCsv = page.getByRole('button', { name: 'Exporter CSV' })
    await expect.poll(() => exportCsv.isEnabled(), { timeout: 20_000 }).toBe(true)
    const [download] = await Promise.all([page.waitForEvent('download'), exportCsv.click()])
    expect(download.suggestedFilename()).toMatch(/^selection-\d{4}-\d{2}-\d{2}\.csv$/)
    const csv = readFileSync((await download.path())!, 'utf8')
    const lines = csv.trimEnd().split('\r\n')
    expect(lines[0]).toContain('reference')
    expect(lines).toHaveLength(expected.length + 1)
    for (const id of expected) expect(csv).toContain(id)

    // A tour of the selection, then its printable route sheet.
    await page.getByRole('button', { name: 'Construire une tournée' }).click()
    await expect
      .poll(() =>
        page
          .getByText(/\d+,\d km/)
          .first()
          .isVisible(),
      )
      .toBe(true)
    await page.getByRole('button', { name: 'Feuille de route' }).click()
    await page.getByRole('button', { name: 'Imprimer' }).waitFor()
    await expect
      .poll(() => page.getByRole('heading', { name: /Feuille de route/ }).count())
      .toBeGreaterThan(0)
    await page.screenshot({ path: join(shots, 'map-route-sheet.png') })
    await page.getByRole('button', { name: 'Retour à la carte' }).click()
    await page.getByRole('button', { name: 'Retour à la sélection' }).click()

    // The text list opens a request, as a click on its dot does.
    await list.getByRole('button').first().click()
    await page
      .getByRole('region', { name: 'Détail de la demande' })
      .getByRole('heading', { level: 2 })
      .waitFor()

    await page.screenshot({ path: join(shots, 'map-selection.png') })
    expect(cspViolations).toEqual([])
    await page.context().close()
  })

  it('shows the territory outline and the requests when no tile can load', async () => {
    const { page, cspViolations } = await openMap()
    // Drawn at the first zoom: the communes' outline, the clusters and the lone requests (WebGL).
    await expect
      .poll(async () => {
        const c = await colourCounts(page, join(shots, 'map-offline.png'))
        return c.outline > 500 && c.cluster > 50 && c.open + c.closed + c.red > 30
      })
      .toBe(true)

    // Zoomed in past the clustering: lone requests drawn by the WebGL layer, in status colours.
    for (let i = 0; i < 4; i++) {
      await page.getByRole('button', { name: 'Zoom avant' }).click()
      await page.waitForTimeout(400)
    }
    const file = join(shots, 'map-offline-zoomed.png')
    await expect
      .poll(
        async () => {
          const c = await colourCounts(page, file)
          return c.open + c.closed + c.red > 30
        },
        { timeout: 20_000 },
      )
      .toBe(true)
    expect(cspViolations).toEqual([])
    await page.context().close()
  })

  it('adds a heat map layer and removes it, and colours the dots by category with their names in the legend', async () => {
    const { page, cspViolations } = await openMap()
    const layers = () => page.locator('.ol-target .ol-layer').count()
    const before = await layers()
    const heat = page.getByRole('button', { name: 'Carte de chaleur' })
    await heat.click()
    expect(await heat.getAttribute('aria-pressed')).toBe('true')
    await expect.poll(() => page.locator('.ol-heatmap').count()).toBe(1)
    expect(await layers()).toBeGreaterThan(before)
    await page.screenshot({ path: join(shots, 'map-heatmap.png') })
    await heat.click()
    await expect.poll(() => page.locator('.ol-heatmap').count()).toBe(0)
    expect(await layers()).toBe(before)

    const reference = await world.core.value('reference.get', {})
    const names = reference.categories.map((c) => c.name.fr)
    const legend = page.getByRole('list', { name: 'Légende' })
    await page.getByLabel('Colorer par').selectOption({ label: 'Catégorie' })
    await expect
      .poll(async () =>
        (await legend.getByTestId('legend-entry').allTextContents()).some((t) => names.includes(t)),
      )
      .toBe(true)
    const statuses = reference.statuses.map((s) => s.label.fr)
    const shown = await legend.getByTestId('legend-entry').allTextContents()
    expect(shown.some((t) => statuses.includes(t))).toBe(false)
    expect(cspViolations).toEqual([])
    await page.context().close()
  })
})
