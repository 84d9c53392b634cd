/**
 * The map screen in Chromium against the real core over the web bridge: the viewport's
 * requests show, a polygon drawn with the mouse selects exactly what the core returns for
 * it, and with the tile server unreachable the outline and the dots still show.
 *
 * WebGL: the shared world launches Chromium with --disable-gpu, where WebGL is off. The
 * points layer needs it, so this file drives its own Chromium with SwiftShader (software
 * GL) against the same core and bridge.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { SHOTS, useMapWorld } from '../support/mapWalk'

const map = useMapWorld(1500)
const world = () => map.world
const shots = SHOTS

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
  const context = await map.browser.newContext({ locale: 'fr-FR', viewport: { width: 1400, height: 900 } })
  await world().core.call('session.logout', {})
  const page = await context.newPage()
  const cspViolations: string[] = []
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text())
  })
  page.on('pageerror', (e) => console.error(`[page error] ${e.message}`))
  // No test talks to the real tile server: offline is what the map must survive.
  await page.route('https://tile.openstreetmap.org/**', (route) => route.abort())
  await page.goto(world().bridge.openUrl)
  await world().login(page, 'zoe.agent')
  await page.getByRole('link', { name: 'Carte' }).click()
  await page.getByRole('region', { name: 'Carte des demandes' }).waitFor()
  await expect
    .poll(() => page.getByTestId('viewport-count').textContent(), { timeout: 20_000 })
    .toMatch(/[1-9]\d* points? ou groupes? dans cette vue/)
  return { page, cspViolations }
}

/** A PNG (base64) as RGBA pixels, in the page: the start of every pixel search below. */
const PIXELS_OF = `async (b64) => {
  const img = new Image()
  img.src = 'data:image/png;base64,' + b64
  await img.decode()
  const canvas = document.createElement('canvas')
  canvas.width = img.width
  canvas.height = img.height
  const ctx = canvas.getContext('2d')
  ctx.drawImage(img, 0, 0)
  return { w: img.width, h: img.height, data: ctx.getImageData(0, 0, img.width, img.height).data }
}`

/**
 * Counts, in the page, the pixels of a PNG close to each colour. Plain JavaScript in a string:
 * it runs in Chromium, and this file is typed for Node (no DOM types).
 */
const COUNT_COLOURS = `async ({ b64, colours }) => {
  const { data } = await (${PIXELS_OF})(b64)
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

/** The dots' whole palette (POINT_PALETTE in mapStyle.ts): a status's colour is its slot, ids sorted. */
const DOT_PALETTE = [
  '#0063cb',
  '#18753c',
  '#ce0500',
  '#6e445a',
  '#716043',
  '#006a6f',
  '#a558a0',
  '#c3992a',
  '#5b2b8c',
  '#66673d',
  '#e4794a',
  '#4ea5d9',
] as const
const rgbOf = (hex: string) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16))

/** A patch of one colour in a screenshot: its bounding box's centre and size, in the image's pixels. */
interface Blob {
  colour: string
  x: number
  y: number
  width: number
  height: number
  area: number
}

/**
 * The 4-connected patches of pixels close to one of the colours, in a PNG. Plain JavaScript
 * run in Chromium, as COUNT_COLOURS. Anti-aliased edges and text are not close to any colour,
 * so a disc's patch is its fill, holes and all.
 */
const FIND_BLOBS = `async ({ b64, colours }) => {
  const { w, h, data } = await (${PIXELS_OF})(b64)
  const label = new Int16Array(w * h).fill(-1)
  for (let p = 0; p < w * h; p++)
    for (let k = 0; k < colours.length; k++) {
      const [r, g, b] = colours[k].rgb
      if (Math.abs(data[4 * p] - r) + Math.abs(data[4 * p + 1] - g) + Math.abs(data[4 * p + 2] - b) <= 24) {
        label[p] = k
        break
      }
    }
  const seen = new Uint8Array(w * h)
  const blobs = []
  for (let start = 0; start < w * h; start++) {
    if (label[start] < 0 || seen[start]) continue
    const k = label[start]
    let minX = w, minY = h, maxX = 0, maxY = 0, area = 0
    const stack = [start]
    seen[start] = 1
    while (stack.length) {
      const p = stack.pop()
      const x = p % w
      const y = (p - x) / w
      area++
      if (x < minX) minX = x
      if (x > maxX) maxX = x
      if (y < minY) minY = y
      if (y > maxY) maxY = y
      for (const q of [x > 0 ? p - 1 : -1, x < w - 1 ? p + 1 : -1, y > 0 ? p - w : -1, y < h - 1 ? p + w : -1])
        if (q >= 0 && !seen[q] && label[q] === k) {
          seen[q] = 1
          stack.push(q)
        }
    }
    const width = maxX - minX + 1
    const height = maxY - minY + 1
    blobs.push({ colour: colours[k].name, x: minX + width / 2, y: minY + height / 2, width, height, area })
  }
  return blobs
}`

type Colours = Record<string, readonly number[]>

/** The patches of the named colours (RGB) in a PNG of the map frame. */
async function blobsIn(page: Page, png: Buffer, colours: Colours): Promise<Blob[]> {
  const list = Object.entries(colours).map(([name, rgb]) => ({ name, rgb }))
  const args = JSON.stringify({ b64: png.toString('base64'), colours: list })
  return page.evaluate(`(${FIND_BLOBS})(${args})`)
}

const IN_VIEW = /\d+ points? ou groupes? dans cette vue/

/**
 * The map frame's screenshot once the map is still (four equal shots in a row, a second or more) and the legend
 * counting the view (the viewport's requests load 200 ms after a move, then redraw).
 */
async function stillFrame(page: Page, timeout = 30_000): Promise<Buffer> {
  const deadline = Date.now() + timeout
  let previous: Buffer | null = null
  let equal = 0
  for (;;) {
    const png = await page.locator('.map-frame').screenshot()
    equal = previous?.equals(png) ? equal + 1 : 0
    previous = png
    if (equal >= 3 && IN_VIEW.test((await page.getByTestId('viewport-count').textContent()) ?? '')) return png
    if (Date.now() > deadline) throw new Error('the map did not settle')
    await page.waitForTimeout(300)
  }
}

/** The patch `pick` chooses among those of `colours` once the map is still, waiting for one to show. */
async function findOnStillMap(
  page: Page,
  colours: Colours,
  pick: (blobs: Blob[]) => Blob | undefined,
  timeout = 40_000,
): Promise<Blob> {
  const deadline = Date.now() + timeout
  for (;;) {
    const found = pick(await blobsIn(page, await stillFrame(page), colours))
    if (found) return found
    if (Date.now() > deadline) throw new Error('nothing of the kind shows on the map')
    await page.waitForTimeout(250)
  }
}

/** A whole disc (not a crescent under another one) of about `min`…`max` pixels across. */
const disc = (min: number, max: number) => (b: Blob) =>
  b.width >= min && b.width <= max && Math.abs(b.width - b.height) <= 2 && b.area >= 0.5 * b.width * b.height

/** The blob nearest the middle of a `width`×`height` image: away from the map's controls. */
function nearestMiddle(blobs: Blob[], width: number, height: number): Blob | undefined {
  const d = (b: Blob) => (b.x - width / 2) ** 2 + (b.y - height / 2) ** 2
  return [...blobs].sort((a, b) => d(a) - d(b))[0]
}

/**
 * How well the outline of `after` matches that of `before` magnified by each scale about
 * `from` (moved to `to`): the share of `after`'s outline pixels with an outline pixel at or
 * next to the matching place in `before`. Away from the frame's edges, where the controls and
 * the hover summary sit. Plain JavaScript run in Chromium, as COUNT_COLOURS.
 */
const FIT_OUTLINE = `async ({ before, after, rgb, from, to, scales }) => {
  const MARGIN = 64
  const maskOf = async (b64) => {
    const { w, h, data } = await (${PIXELS_OF})(b64)
    const mask = new Uint8Array(w * h)
    for (let p = 0; p < mask.length; p++)
      mask[p] = Math.abs(data[4 * p] - rgb[0]) + Math.abs(data[4 * p + 1] - rgb[1]) + Math.abs(data[4 * p + 2] - rgb[2]) <= 24 ? 1 : 0
    return { w, h, mask }
  }
  const a = await maskOf(after)
  const b = await maskOf(before)
  const inside = (m, x, y) => x >= MARGIN && y >= MARGIN && x < m.w - MARGIN && y < m.h - MARGIN
  const near = (m, x, y) => {
    for (let dy = -1; dy <= 1; dy++)
      for (let dx = -1; dx <= 1; dx++) if (m.mask[(y + dy) * m.w + x + dx]) return true
    return false
  }
  return scales.map((scale) => {
    let considered = 0
    let matched = 0
    for (let y = MARGIN; y < a.h - MARGIN; y++)
      for (let x = MARGIN; x < a.w - MARGIN; x++) {
        if (!a.mask[y * a.w + x]) continue
        const bx = Math.round(from.x + (x - to.x) / scale)
        const by = Math.round(from.y + (y - to.y) / scale)
        if (!inside(b, bx, by)) continue
        considered++
        if (near(b, bx, by)) matched++
      }
    return { scale, considered, score: considered ? matched / considered : 0 }
  })
}`

/** The magnification (of `scales`) that best turns the outline of `before` about `from` into that of `after` about `to`. */
async function outlineScale(
  page: Page,
  before: Buffer,
  after: Buffer,
  from: { x: number; y: number },
  to: { x: number; y: number },
): Promise<number> {
  const scales = [0.25, 0.5, 1, 2, 4, 8, 16]
  const args = JSON.stringify({
    before: before.toString('base64'),
    after: after.toString('base64'),
    rgb: COLOURS.outline,
    from,
    to,
    scales,
  })
  const fits: { scale: number; considered: number; score: number }[] = await page.evaluate(
    `(${FIT_OUTLINE})(${args})`,
  )
  // A scale that maps few pixels into `before` could fit by chance.
  const best = fits.filter((f) => f.considered >= 200).sort((x, y) => y.score - x.score)[0]
  return best?.scale ?? 0
}

/** Lets the page handle the last input and Vue render it. */
const nextFrames = (page: Page) =>
  page.evaluate('new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))')

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

    const expected = (await world().core.value('map.select', { polygon, limit: 5000 })).points
      .map((p) => p.id)
      .sort()
    expect(expected.length).toBeGreaterThan(0)
    const list = page.getByRole('list', { name: 'Demandes sélectionnées' })
    const shownIds = await list
      .locator('li[data-id]')
      .evaluateAll((items) => items.map((li) => li.getAttribute('data-id')))
    expect(shownIds.sort()).toEqual(expected)
    expect(await status.textContent()).toContain(`${expected.length} demande`)

    // Each line reads number, reference, then subject below it: nothing clipped past the ninth,
    // nothing run together.
    expect(expected.length).toBeGreaterThanOrEqual(10)
    await expect.poll(() => list.locator('li .title').count(), { timeout: 20_000 }).toBeGreaterThanOrEqual(10)
    const layout: { numberInside: boolean; numberText: string; titleBelow: boolean }[] = await list.evaluate(
      (ol) => {
        const box = ol.getBoundingClientRect()
        return [...ol.querySelectorAll('li')].slice(0, 12).map((li) => {
          const number = li.querySelector('.number')!
          const n = number.getBoundingClientRect()
          const ref = li.querySelector('.reference')!.getBoundingClientRect()
          const title = li.querySelector('.title')?.getBoundingClientRect()
          return {
            numberInside: n.left >= box.left && n.right <= ref.left && number.scrollWidth <= n.width + 0.5,
            numberText: number.textContent ?? '',
            titleBelow: !title || title.top >= ref.bottom - 1,
          }
        })
      },
    )
    expect(layout.map((l) => l.numberText)).toEqual(layout.map((_, i) => `${i + 1}.`))
    expect(layout.every((l) => l.numberInside && l.titleBelow)).toBe(true)

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

    // With the request open, a new zone can still be drawn; once drawn, its list replaces the request.
    const zone = page.getByRole('button', { name: 'Sélectionner une zone' })
    expect(await zone.isVisible()).toBe(true)
    await zone.click()
    await expect.poll(() => zone.getAttribute('aria-pressed')).toBe('true')
    for (const [x, y] of corners) {
      await page.mouse.click(x, y)
      await page.waitForTimeout(150)
    }
    await expect.poll(() => page.getByRole('region', { name: 'Détail de la demande' }).count()).toBe(0)
    await expect.poll(() => list.locator('li[data-id]').count(), { timeout: 20_000 }).toBe(expected.length)
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

    const reference = await world().core.value('reference.get', {})
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

  it('sums up on hover what a group or a request is; a click zooms into the group, or opens the request', async () => {
    const { page, cspViolations } = await openMap()
    const frame = page.locator('.map-frame')
    const { x: left, y: top, width, height } = (await frame.boundingBox())!
    // Hidden (not removed) while the pointer is over nothing.
    const summary = frame.getByRole('status', { includeHidden: true })
    const summaryText = async () => ((await summary.textContent()) ?? '').trim()
    /** What the summary says with the pointer at a page position (reached from elsewhere, so it moves). */
    async function hoverAt(x: number, y: number): Promise<string> {
      await page.mouse.move(x, y + 30)
      await page.mouse.move(x, y)
      await nextFrames(page)
      return summaryText()
    }

    // A group: its disc says how many requests it holds, the summary too.
    const group = await findOnStillMap(page, { cluster: COLOURS.cluster }, (blobs) =>
      nearestMiddle(blobs.filter(disc(16, 56)), width, height),
    )
    const [gx, gy] = [left + group.x, top + group.y]
    await page.mouse.move(gx, gy)
    await expect.poll(summaryText).toMatch(/^\d+ demandes — cliquer pour zoomer$/)
    const grouped = await summaryText()
    const count = Number(/^\d+/.exec(grouped)![0])
    expect(count).toBeGreaterThan(1)
    // Anywhere on the disc counts, not only near its middle; leaving the map clears the summary.
    await page.mouse.move(gx + group.width / 2 - 3, gy)
    await nextFrames(page)
    expect(await summaryText()).toBe(grouped)
    await page.mouse.move(left + width + 60, top + 40)
    await expect.poll(summaryText).toBe('')
    await page.mouse.move(gx, gy)
    await expect.poll(summaryText).toBe(grouped)

    // A click zooms in, centred on the group: the territory's outline shows magnified about it,
    // and the group has split, so what stands at the middle holds fewer.
    const before = await stillFrame(page)
    await page.mouse.click(gx, gy)
    await expect.poll(async () => (await frame.screenshot()).equals(before)).toBe(false)
    const after = await stillFrame(page)
    const middle = { x: width / 2, y: height / 2 }
    expect(await outlineScale(page, before, after, group, middle)).toBeGreaterThanOrEqual(2)
    const atMiddle = await hoverAt(left + middle.x, top + middle.y)
    const heldAtMiddle = /^(\d+) demandes? — cliquer pour zoomer$/.exec(atMiddle)
    expect(heldAtMiddle ? Number(heldAtMiddle[1]) : 0).toBeLessThan(count)

    // Closer in, requests stand alone: a white-ringed dot in its status's colour.
    const palette = Object.fromEntries(DOT_PALETTE.map((hex) => [hex, rgbOf(hex)]))
    const pickDot = (blobs: Blob[]) => nearestMiddle(blobs.filter(disc(7, 14)), width, height)
    let dot = pickDot(await blobsIn(page, await stillFrame(page), palette))
    for (let zooms = 0; !dot && zooms < 6; zooms++) {
      await page.getByRole('button', { name: 'Zoom avant' }).click()
      dot = pickDot(await blobsIn(page, await stillFrame(page), palette))
    }
    expect(dot).toBeDefined()
    const [dx, dy] = [left + dot!.x, top + dot!.y]
    const reference = await world().core.value('reference.get', {})
    const statusLabels = reference.statuses.map((s) => s.label.fr)
    const categoryNames = reference.categories.map((c) => c.name.fr)
    const hovered = await hoverAt(dx, dy)
    const named = /^(.+) · (.+) — cliquer pour ouvrir$/.exec(hovered)
    expect(named, hovered).not.toBeNull()
    expect(statusLabels).toContain(named![1])
    expect(categoryNames).toContain(named![2])
    await page.screenshot({ path: join(shots, 'map-hover.png') })

    // A click opens it beside the map: a real request, the one the summary and the colour told of.
    await page.mouse.click(dx, dy)
    const detail = page.getByRole('region', { name: 'Détail de la demande' })
    const title = detail.getByRole('heading', { level: 2 })
    await title.waitFor()
    const line = (await detail.getByText(/^[A-Z]+-\d{4}-\d+ · /).textContent())!.trim()
    const [requestRef = '', categoryShown] = line.split(' · ')
    expect(categoryShown).toBe(named![2])
    const { rows } = await world().core.value('queue.list', { filter: { text: requestRef }, limit: 10 })
    const request = rows.find((r) => r.reference === requestRef)
    expect(request).toBeDefined()
    expect(await title.textContent()).toBe(request!.title)
    const labelOf = (id: string) => reference.statuses.find((s) => s.id === id)!.label.fr
    const nameOf = (id: string) => reference.categories.find((c) => c.id === id)!.name.fr
    expect(hovered).toBe(`${labelOf(request!.status)} · ${nameOf(request!.categoryId)} — cliquer pour ouvrir`)
    const statusIds = reference.statuses.map((s) => s.id).sort()
    expect(dot!.colour).toBe(DOT_PALETTE[statusIds.indexOf(request!.status) % DOT_PALETTE.length])
    expect(cspViolations).toEqual([])
    await page.context().close()
  }, 180_000)
})
