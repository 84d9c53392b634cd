/**
 * A photo on a request, seen from two consoles of one server (issue 14), in Debian's Chromium:
 * each console is a real core on its own SQLite file behind its own web bridge, the server the
 * reference server over real HTTP. Zoé adds a phone photo carrying its GPS position through the
 * file picker; its thumbnail shows at once. Luc, of the same team, has the request open on
 * his console: after his sync the thumbnail appears there by itself, the viewer shows the whole
 * image, and the file he downloads has lost its position (the server re-encodes images).
 * axe finds nothing serious or critical on the panel or the viewer.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import exifr from 'exifr'
import type { Browser, Locator, Page } from 'playwright-core'
import sharp from 'sharp'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { THUMBNAIL_EDGE } from '../../src/shared/attachments'
import { startWebBridge, type WebBridge } from '../../src/main/web/bridge'
import { seriousViolations } from '../support/axe'
import { launchChromium } from '../support/chromium'
import { DEMO_PASSWORD, repoRoot } from '../support/core'
import { openSyncWorld, type SyncClient, type SyncWorld } from '../support/syncWorld'

const shots = join(repoRoot, 'test-results')
let world: SyncWorld
let browser: Browser
const bridges: WebBridge[] = []

/** Place Stanislas, as a phone writes it in its EXIF GPS block (degrees, minutes, seconds). */
const GPS = {
  GPSLatitudeRef: 'N',
  GPSLatitude: '48/1 41/1 3600/100',
  GPSLongitudeRef: 'E',
  GPSLongitude: '6/1 10/1 5900/100',
}
const PHOTO_NAME = 'trottoir-fissure.jpg'
let photo: Buffer

beforeAll(async () => {
  if (!existsSync(join(repoRoot, 'dist-web', 'index.html')))
    throw new Error('dist-web is missing: run `npm run build:web`')
  mkdirSync(shots, { recursive: true })
  photo = await sharp({
    create: { width: 1200, height: 900, channels: 3, background: { r: 190, g: 120, b: 60 } },
  })
    .jpeg({ quality: 85 })
    .withExif({ IFD0: { Make: 'TabletteTerrain', Model: 'T-1000' }, IFD3: GPS })
    .toBuffer()
  // The photo given really carries a position: what the server must strip.
  expect(await exifr.gps(photo)).toMatchObject({ latitude: expect.closeTo(48.69, 2) })
  world = await openSyncWorld({ requests: 300 })
  browser = await launchChromium({ webgl: false })
})
afterAll(async () => {
  await browser?.close()
  for (const b of bridges) await b.close()
  await world?.close()
})

/**
 * A console of its own (core, bridge, Chromium page) logged in as `login`, online; on a
 * `tablet` (1024×768, touch) for a technician, who lands on « Ma journée ».
 */
async function consolePage(
  name: string,
  login: string,
  { tablet = false } = {},
): Promise<{ page: Page; client: SyncClient }> {
  const client = await world.client(name, login, { login: false })
  const bridge = await startWebBridge({ core: client.core, staticDir: join(repoRoot, 'dist-web') })
  bridges.push(bridge)
  const context = await browser.newContext({
    locale: 'fr-FR',
    viewport: tablet ? { width: 1024, height: 768 } : { width: 1400, height: 900 },
    hasTouch: tablet,
  })
  const page = await context.newPage()
  page.on('pageerror', (e) => console.error(`[${name} page error] ${e.message}`))
  await page.goto(bridge.openUrl)
  await page.getByRole('textbox', { name: 'Identifiant' }).fill(login)
  await page.getByLabel('Mot de passe').fill(DEMO_PASSWORD)
  await page.getByRole('button', { name: 'Se connecter' }).click()
  if (tablet) await page.getByRole('heading', { level: 1, name: 'Ma journée' }).waitFor()
  else await page.getByRole('listbox', { name: 'Demandes' }).getByRole('option').first().waitFor()
  await expect
    .poll(() => page.getByRole('group', { name: 'Synchronisation avec le serveur' }).textContent(), {
      timeout: 20_000,
    })
    .toContain('En ligne')
  return { page, client }
}

/** How wide an image really loaded (0 until its bytes arrived and decoded). */
const naturalWidth = (image: Locator) =>
  image.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth).catch(() => 0)

it('a photo Zoé adds shows on Luc’s console after his sync, whole in the viewer, without its GPS position', async () => {
  const zoe = await consolePage('zoe', 'zoe.agent')
  const luc = await consolePage('luc', 'luc.lead')

  // Zoé's first request: one of her teams', so Luc (lead of the same teams) sees it too.
  const first = zoe.page.getByRole('listbox', { name: 'Demandes' }).getByRole('option').first()
  const id = (await first.getAttribute('id'))!.replace('queue-row-', '')
  const { reference } = await zoe.client.value('request.get', { id })

  // Luc opens it first: nothing attached yet.
  await luc.page.getByRole('searchbox', { name: 'Rechercher' }).fill(reference)
  await luc.page.locator(`#queue-row-${id}`).click()
  const lucPanel = luc.page
    .getByRole('region', { name: 'Détail de la demande' })
    .getByRole('region', { name: /^Pièces jointes/ })
  await lucPanel.getByText('Aucune photo ni document.').waitFor()

  // Zoé adds the photo through the file picker.
  await first.click()
  const zoePanel = zoe.page
    .getByRole('region', { name: 'Détail de la demande' })
    .getByRole('region', { name: /^Pièces jointes/ })
  const chooser = zoe.page.waitForEvent('filechooser')
  await zoePanel.getByRole('button', { name: 'Ajouter des photos ou documents' }).click()
  await (await chooser).setFiles({ name: PHOTO_NAME, mimeType: 'image/jpeg', buffer: photo })
  await zoePanel
    .getByRole('status')
    .filter({ hasText: `${PHOTO_NAME} : ajoutée` })
    .waitFor()
  const zoeThumb = zoePanel.getByRole('button', { name: `Voir la photo ${PHOTO_NAME}` }).locator('img')
  await expect.poll(() => naturalWidth(zoeThumb), { timeout: 10_000 }).toBeGreaterThan(0)

  // Luc did nothing: after his sync the thumbnail is there, read from the server.
  const lucTile = lucPanel.getByRole('button', { name: `Voir la photo ${PHOTO_NAME}` })
  await lucTile.waitFor({ timeout: 30_000 })
  // Thumbnails are read as their tiles come into view: Luc scrolls down to the panel.
  await lucTile.scrollIntoViewIfNeeded()
  const lucThumb = lucTile.locator('img')
  await expect.poll(() => naturalWidth(lucThumb), { timeout: 20_000 }).toBeGreaterThan(0)
  expect(await naturalWidth(lucThumb)).toBeLessThanOrEqual(THUMBNAIL_EDGE)
  await expect.poll(() => zoePanel.locator('.badge').count(), { timeout: 20_000 }).toBe(0)
  expect(await seriousViolations(luc.page, '.attachments')).toEqual([])
  await lucPanel.screenshot({ path: join(shots, 'attachments-panel.png') })

  // The viewer: the whole image, a download without the position, Escape closes it.
  await lucTile.click()
  const dialog = luc.page.getByRole('dialog', { name: PHOTO_NAME })
  const full = dialog.getByRole('img', { name: `Photo jointe : ${PHOTO_NAME}` })
  await expect.poll(() => naturalWidth(full), { timeout: 20_000 }).toBeGreaterThan(THUMBNAIL_EDGE)
  expect(await seriousViolations(luc.page, '[role="dialog"]')).toEqual([])
  await luc.page.screenshot({ path: join(shots, 'attachments-viewer.png') })
  const download = luc.page.waitForEvent('download')
  await dialog.getByRole('link', { name: 'Télécharger' }).click()
  const file = await (await download).path()
  const bytes = readFileSync(file)
  expect((await sharp(bytes).metadata()).format).toBe('jpeg')
  expect(await exifr.gps(bytes)).toBeFalsy()
  await luc.page.keyboard.press('Escape')
  await dialog.waitFor({ state: 'detached' })
  // Focus back on the tile that opened it.
  await expect.poll(() => lucTile.evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true)
})

it('Tom takes a photo with « Terminer » on his tablet: shown in the form, counted on the stop, sent to the server', async () => {
  const TOM = 'agent-tom.tech'
  // Luc plans today's tour for Tom from his own console (the tour builder has its own test).
  const planner = await world.client('luc-planner', 'luc.lead')
  await planner.settle()
  const [stop] = await world.server.store.sql.all<{ id: string; reference: string }>(
    `SELECT id, reference FROM requests WHERE team_id = 'voirie' AND lat IS NOT NULL AND status = 'new'
       AND (assignee_id IS NULL OR assignee_id <> ?) ORDER BY id LIMIT 1`,
    [TOM],
  )
  await planner.value('tours.save', {
    plan: {
      teamId: 'voirie',
      technicianId: TOM,
      // « Ma journée » is the tablet's today, as the page computes it.
      date: new Date().toLocaleDateString('sv-SE'),
      name: 'Tournée photos',
      depot: { lat: 48.6921, lon: 6.1844, label: 'Centre technique' },
      stopIds: [stop!.id],
    },
  })
  await planner.settle()

  const tom = await consolePage('tom', 'tom.tech', { tablet: true })
  const start = tom.page.getByRole('button', { name: `Démarrer l’étape ${stop!.reference}` })
  await start.waitFor({ timeout: 30_000 })
  await start.click()
  await tom.page.getByRole('button', { name: `Terminer l’étape ${stop!.reference}` }).click()

  const take = tom.page.getByRole('button', { name: `Prendre ou ajouter des photos pour ${stop!.reference}` })
  // A finger, not a mouse pointer.
  expect((await take.boundingBox())!.height).toBeGreaterThanOrEqual(44)
  const chooser = tom.page.waitForEvent('filechooser')
  await take.click()
  await (await chooser).setFiles({ name: 'chantier.jpg', mimeType: 'image/jpeg', buffer: photo })
  const photos = tom.page.getByRole('group', { name: 'Photos' })
  await photos.getByRole('status').filter({ hasText: 'chantier.jpg : ajoutée' }).waitFor()
  const preview = photos.getByRole('img', { name: 'Photo 1 : chantier.jpg' })
  await expect.poll(() => naturalWidth(preview)).toBeGreaterThan(0)
  const card = tom.page.locator('li.stop').filter({ hasText: stop!.reference })
  await expect.poll(() => card.locator('.photo-count').textContent()).toContain('1 photo')
  expect(await seriousViolations(tom.page, '.day-view')).toEqual([])
  await tom.page.screenshot({ path: join(shots, 'day-photos.png') })

  await tom.page.getByLabel('Compte rendu').fill('Nid-de-poule rebouché, photo jointe.')
  await tom.page.getByRole('button', { name: 'Valider la fin de l’intervention' }).click()
  await tom.page
    .getByRole('status')
    .filter({ hasText: `Étape ${stop!.reference} : ` })
    .waitFor()

  // The photo reached the server: Luc's console lists it as sent after its sync.
  await expect
    .poll(
      async () => {
        await planner.sync()
        const { items } = await planner.value('attachments.ofRequest', { requestId: stop!.id })
        return items.map((i) => [i.name, i.state])
      },
      { timeout: 30_000, interval: 1000 },
    )
    .toEqual([['chantier.jpg', 'sent']])
})
