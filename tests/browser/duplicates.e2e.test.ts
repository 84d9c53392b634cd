/**
 * Likely duplicates on screen (issue 14), in Debian's Chromium against the real core: an
 * agent opens a request, the panel lists the one reported a few metres away with its reasons
 * in words, she links it with the keyboard (« Lier comme doublon »), the request becomes
 * « Doublon », and « Délier » brings it back. axe finds nothing serious on the panel.
 */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { HOME_CENTER_LONLAT, HOME_ZOOM } from '../../src/renderer/composables/mapStyle'
import type { RequestDetail } from '../../src/shared/domain'
import { seriousViolations } from '../support/axe'
import { openBrowserWorld, type BrowserWorld } from '../support/browser'
import { repoRoot } from '../support/core'

let world: BrowserWorld
let master: RequestDetail
let duplicate: RequestDetail

/** Place Stanislas, Nancy: voirie requests there go to the `voirie` team (Zoé's). */
const P = { lat: 48.69355, lon: 6.1832 }

beforeAll(async () => {
  world = await openBrowserWorld(300)
  await world.core.as('zoe.agent')
  const create = (title: string, description: string, location: { lat: number; lon: number }) =>
    world.core.value('request.create', {
      categoryId: 'voirie',
      channel: 'phone',
      title,
      description,
      location,
      address: 'Place Stanislas, 54000 Nancy',
    })
  master = await create('Nid-de-poule profond', 'Nid-de-poule profond devant la boulangerie', P)
  // 15 m north of it.
  duplicate = await create('Trou dans la chaussée', 'Trou profond devant la boulangerie', {
    lat: P.lat + 15 / 111_320,
    lon: P.lon,
  })
})
afterAll(async () => world?.close())

it('suggests the request reported nearby, links it from the keyboard, and un-links it', async () => {
  const page = await world.newPage()
  await world.login(page, 'zoe.agent')
  const list = page.getByRole('listbox', { name: 'Demandes' })
  await list.getByRole('option').filter({ hasText: duplicate.reference }).click()
  const detail = page.getByRole('region', { name: 'Détail de la demande' })
  await detail.getByRole('heading', { level: 2, name: 'Trou dans la chaussée' }).waitFor()

  const panel = detail.getByRole('region', { name: 'Doublons probables' })
  const candidates = panel.getByRole('list', { name: 'Demandes qui pourraient être la même' })
  const item = candidates.getByRole('listitem').filter({ hasText: master.reference })
  await item.waitFor()
  const reasons = await item.locator('.reasons').innerText()
  expect(reasons).toContain('à 15 m')
  expect(reasons).toContain('le même jour')
  expect(reasons).toContain('même catégorie')
  expect(reasons).toMatch(/mots communs : .*boulangerie/)
  expect(await seriousViolations(page, '.duplicates')).toEqual([])
  // For the eye and the user guide.
  mkdirSync(join(repoRoot, 'test-results'), { recursive: true })
  await panel.screenshot({ path: join(repoRoot, 'test-results', 'duplicates-panel.png') })

  const link = item.getByRole('button', { name: `Lier comme doublon de ${master.reference}` })
  await link.focus()
  await page.keyboard.press('Enter')
  await panel.getByText(`Demande liée comme doublon de ${master.reference}.`).waitFor()
  await detail.getByText(`Cette demande est un doublon de ${master.reference}`, { exact: false }).waitFor()
  await detail.locator('.state strong').first().filter({ hasText: 'Doublon' }).waitFor()
  expect((await world.core.value('request.get', { id: duplicate.id })).status).toBe('duplicate')
  // Linked: no second link is offered.
  expect(await panel.getByRole('button', { name: /^Lier comme doublon/ }).count()).toBe(0)
  expect(await seriousViolations(page, '.duplicates')).toEqual([])

  const unlink = panel.getByRole('button', {
    name: `Délier de ${master.reference} : ce n’est pas un doublon`,
  })
  await unlink.focus()
  await page.keyboard.press('Enter')
  await panel.getByText('Demande déliée : elle est de nouveau traitée seule.').waitFor()
  await detail.locator('.state strong').first().filter({ hasText: 'Qualifiée' }).waitFor()
  const back = await world.core.value('request.get', { id: duplicate.id })
  expect(back.statusKind).toBe('open')
  expect(back.fields.duplicateOf).toBeUndefined()
  await page.context().close()
})

/** Pixels from the map's centre to a place, at a whole zoom (Web Mercator, 256-pixel tiles). */
function pixelsFrom(centre: { lat: number; lon: number }, place: { lat: number; lon: number }, zoom: number) {
  const world = 256 * 2 ** zoom
  const y = (lat: number) => Math.log(Math.tan(Math.PI / 4 + (lat * Math.PI) / 360))
  return {
    x: ((place.lon - centre.lon) / 360) * world,
    y: ((y(centre.lat) - y(place.lat)) / (2 * Math.PI)) * world,
  }
}

it('shows the link on the map: a ring on the master counting its duplicate, which opens it', async () => {
  // Linked again (the step above un-linked it), as the panel does.
  await world.core.as('zoe.agent')
  await world.core.value('duplicates.link', { id: duplicate.id, masterId: master.id })
  const page = await world.newPage()
  await page.route('https://tile.openstreetmap.org/**', (route) => route.abort())
  await world.login(page, 'zoe.agent')
  await page.getByRole('link', { name: 'Carte' }).click()
  await page.getByRole('region', { name: 'Carte des demandes' }).waitFor()
  const links = page.getByTestId('duplicate-links-count')
  // The home view spans the metropole: too far out for the lines.
  await expect.poll(() => links.textContent()).toContain('Zoomez pour voir les doublons liés.')
  expect(await page.getByLabel('Doublons liés').isChecked()).toBe(true)

  // To the street (zoom 12 → 16), around the home centre.
  expect(HOME_ZOOM).toBe(12)
  const zoomIn = page.getByRole('button', { name: 'Zoom avant' })
  for (let i = 0; i < 4; i++) {
    await zoomIn.click()
    await page.waitForTimeout(400)
  }
  await expect.poll(() => links.textContent()).toMatch(/[1-9]\d* groupes? de doublons dans cette vue/)
  await page.getByText('Cercle : demande principale, avec son nombre de doublons').waitFor()
  expect(await seriousViolations(page, '.map-toolbar')).toEqual([])
  mkdirSync(join(repoRoot, 'test-results'), { recursive: true })
  await page.locator('.map-frame').screenshot({ path: join(repoRoot, 'test-results', 'duplicates-map.png') })

  // The label under the master's ring (24 px below its centre) opens the master.
  const box = (await page.getByRole('application', { name: /^Carte/ }).boundingBox())!
  const [lon, lat] = HOME_CENTER_LONLAT
  const at = pixelsFrom({ lat, lon }, P, 16)
  await page.mouse.click(box.x + box.width / 2 + at.x, box.y + box.height / 2 + at.y + 24)
  const detail = page.getByRole('region', { name: 'Détail de la demande' })
  await detail.getByRole('heading', { level: 2, name: 'Nid-de-poule profond' }).waitFor()

  // Un-ticked: the links and their legend go.
  await page.getByLabel('Doublons liés').uncheck()
  await expect.poll(() => links.count()).toBe(0)
  await page.context().close()
})

it('merges the duplicate into its master after a confirmation that says what it brings', async () => {
  await world.core.as('zoe.agent')
  await world.core.value('request.comment', {
    id: duplicate.id,
    kind: 'internal',
    body: 'Le riverain signale une roue crevée.',
  })
  const page = await world.newPage()
  await world.login(page, 'zoe.agent')
  await page
    .getByRole('listbox', { name: 'Demandes' })
    .getByRole('option')
    .filter({ hasText: master.reference })
    .click()
  const detail = page.getByRole('region', { name: 'Détail de la demande' })
  await detail.getByRole('heading', { level: 2, name: 'Nid-de-poule profond' }).waitFor()
  const panel = detail.getByRole('region', { name: 'Doublons probables' })
  const merge = panel.getByRole('button', { name: `Fusionner ${duplicate.reference} dans cette demande` })
  await merge.focus()
  await page.keyboard.press('Enter')

  const dialog = page.getByRole('dialog', { name: `Fusionner ${duplicate.reference} dans cette demande` })
  await dialog.waitFor()
  expect(await dialog.getByRole('listitem').allInnerTexts()).toEqual([
    '1 commentaire',
    'aucune pièce jointe',
    'pas d’usager (demande anonyme)',
  ])
  expect(await seriousViolations(page, '[role="dialog"]')).toEqual([])
  // The confirmation has the focus: Enter merges.
  await page.keyboard.press('Enter')
  await panel.getByText(`${duplicate.reference} fusionnée dans cette demande`, { exact: false }).waitFor()
  await panel.getByText('Fusionnée dans cette demande', { exact: true }).waitFor()
  await detail.getByText('Le riverain signale une roue crevée.').waitFor()
  await detail
    .getByRole('region', { name: 'Historique' })
    .getByText(`${duplicate.reference} fusionnée dans cette demande : 1 commentaire`, { exact: false })
    .waitFor()
  expect(await seriousViolations(page, '.duplicates')).toEqual([])
  const merged = await world.core.value('request.get', { id: duplicate.id })
  expect(merged.fields).toMatchObject({ duplicateOf: master.reference, mergedInto: master.reference })
  await page.context().close()
})
