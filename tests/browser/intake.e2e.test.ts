/**
 * « Nouvelle demande » in Debian's Chromium against the real core (issue 14): a phone call
 * from a new citizen about a place found through the address search (a local stand-in of the
 * BAN geocoder, configured as `geocoding.url`). The routing is read before saving, a missing
 * consent is pointed at its field without losing what was typed, and once saved the request
 * opens in the queue. axe finds nothing serious on the form.
 */
import { randomUUID } from 'node:crypto'
import { join } from 'node:path'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, expect, inject, it } from 'vitest'
import { createShellLog } from '../../src/main/app/log'
import { startWebBridge, type WebBridge } from '../../src/main/web/bridge'
import { seriousViolations } from '../support/axe'
import { openConsoleWithGeocoder, startBanStandIn, type BanStandIn } from '../support/banStandIn'
import { launchChromium } from '../support/chromium'
import { DEMO_PASSWORD, repoRoot } from '../support/core'

let ban: BanStandIn
let world: Awaited<ReturnType<typeof openConsoleWithGeocoder>>
let bridge: WebBridge
let browser: Browser

beforeAll(async () => {
  ban = await startBanStandIn()
  // The app's own log, in the folder the browser project scans for personal data at the end.
  const shellLog = createShellLog({ dir: join(inject('browserLogDir'), randomUUID()), echo: () => {} })
  shellLog.info('start', 'monde de test du navigateur : saisie d’une demande')
  world = await openConsoleWithGeocoder(ban.url, {
    requests: 300,
    timeoutSeconds: 2,
    logError: (where, error) => shellLog.error(where, error),
  })
  bridge = await startWebBridge({ core: world.core, staticDir: join(repoRoot, 'dist-web') })
  browser = await launchChromium({ webgl: false })
})

afterAll(async () => {
  await browser?.close()
  await bridge?.close()
  await world?.close()
  await ban?.close()
})

/** A new page, logged in as Zoé, on the queue. */
async function openQueue() {
  // One core, one session: the page starts at the login screen.
  await world.core.invoke('session.logout', {})
  const context = await browser.newContext({ locale: 'fr-FR', viewport: { width: 1400, height: 900 } })
  const page = await context.newPage()
  page.on('pageerror', (e) => console.error(`[page error] ${e.message}`))
  await page.goto(bridge.openUrl)
  await page.getByRole('textbox', { name: 'Identifiant' }).fill('zoe.agent')
  await page.getByLabel('Mot de passe').fill(DEMO_PASSWORD)
  await page.getByRole('button', { name: 'Se connecter' }).click()
  await page.getByRole('listbox', { name: 'Demandes' }).waitFor()
  return { context, page }
}

it('records a phone call from a new citizen at a geocoded address, and opens it in the queue', async () => {
  const { context, page } = await openQueue()

  // `n` from the queue opens the form.
  await page.locator('body').press('n')
  const form = page.getByRole('form', { name: 'Nouvelle demande' })
  await form.waitFor()

  await form.getByLabel('Canal').selectOption({ label: 'Téléphone' })
  await form.getByRole('searchbox', { name: 'Filtrer les catégories' }).fill('trottoir degrade')
  // Accents forgiven, sub-categories searched: one category is left.
  expect(await form.getByLabel('Catégorie *').locator('option').allInnerTexts()).toEqual([
    'Choisissez une catégorie',
    'Voirie et trottoirs',
  ])
  await form.getByLabel('Catégorie *').selectOption({ label: 'Voirie et trottoirs' })
  await form.getByLabel('Sous-catégorie').selectOption({ label: 'Trottoir dégradé' })
  await form.getByLabel('Titre *').fill('Bordure de trottoir descellée')
  await form.getByLabel('Description').fill('Une bordure bouge devant le numéro 5, risque de chute.')

  await form.getByRole('searchbox', { name: 'Rechercher une adresse' }).fill('5 rue solvay')
  await form.getByRole('button', { name: 'Rechercher', exact: true }).first().click()
  await form
    .getByRole('list', { name: 'Adresses trouvées' })
    .getByRole('button', { name: 'Choisir : 5 Rue Solvay 54320 Maxéville' })
    .click()
  await expect
    .poll(() => form.getByLabel('Adresse de la demande').inputValue())
    .toBe('5 Rue Solvay 54320 Maxéville')
  const asked = ban.requests.find((u) => u.pathname === '/search/')!
  expect(asked.searchParams.get('q')).toBe('5 rue solvay')

  // The routing, in words, before saving.
  const routing = form.getByTestId('intake-routing')
  await expect
    .poll(() => routing.innerText())
    .toMatch(
      /^Orientée vers Voirie – secteur Nord : règle \d+, catégorie Voirie et trottoirs \+ secteur Secteur Nord$/,
    )
  const routingWords = await routing.innerText()

  await form.getByRole('radio', { name: 'Nouvel usager' }).check()
  await form.getByLabel('Nom et prénom *').fill('Gaëlle Fournier')
  await form.getByLabel('Téléphone', { exact: true }).fill('06 98 76 54 32')
  await form.getByRole('radio', { name: 'SMS' }).check()

  expect(await seriousViolations(page, '.intake-view')).toEqual([])

  // Saved without the citizen's consent: refused at that field, nothing typed lost.
  await form.getByRole('button', { name: 'Enregistrer la demande' }).click()
  await form.getByRole('alert').filter({ hasText: 'La demande n’a pas été enregistrée' }).waitFor()
  const consent = form.getByRole('checkbox', { name: /L’usager accepte d’être informé/ })
  expect(await consent.getAttribute('aria-invalid')).toBe('true')
  const describedBy = (await consent.getAttribute('aria-describedby'))!
  expect(await page.locator(`#${describedBy}`).innerText()).toContain('doit accepter')
  expect(await form.getByLabel('Titre *').inputValue()).toBe('Bordure de trottoir descellée')
  expect(await form.getByLabel('Nom et prénom *').inputValue()).toBe('Gaëlle Fournier')
  expect(await seriousViolations(page, '.intake-view')).toEqual([])

  await consent.check()
  await form.getByRole('button', { name: 'Enregistrer la demande' }).click()

  // The queue, with the new request open.
  const detail = page.getByRole('region', { name: 'Détail de la demande' })
  await detail.getByRole('heading', { level: 2, name: 'Bordure de trottoir descellée' }).waitFor()
  const row = world.core.db
    .prepare(`SELECT id, citizen_id, channel, address FROM requests WHERE title = ?`)
    .get('Bordure de trottoir descellée') as {
    id: string
    citizen_id: string
    channel: string
    address: string
  }
  expect(row).toMatchObject({ channel: 'phone', address: '5 Rue Solvay 54320 Maxéville' })
  const citizen = world.core.db
    .prepare('SELECT name, phone, contact_preference FROM citizens WHERE id = ?')
    .get(row.citizen_id)
  expect(citizen).toEqual({ name: 'Gaëlle Fournier', phone: '06 98 76 54 32', contact_preference: 'phone' })
  const routed = world.core.db
    .prepare(`SELECT data FROM history_events WHERE request_id = ? AND kind = 'routed'`)
    .pluck()
    .get(row.id) as string
  expect(JSON.parse(routed).words).toBe(routingWords)
  await context.close()
})

it('when the address service answers badly, says so and names a point clicked on the map from the territory', async () => {
  ban.mode = 'malformed'
  const { context, page } = await openQueue()
  await page.getByRole('button', { name: 'Nouvelle demande' }).click()
  const form = page.getByRole('form', { name: 'Nouvelle demande' })
  await form.getByRole('searchbox', { name: 'Rechercher une adresse' }).fill('place stanislas')
  await form.getByRole('button', { name: 'Rechercher', exact: true }).first().click()
  await form.getByRole('alert').filter({ hasText: 'réponse illisible' }).waitFor()
  // The map opens on Nancy: a click in its middle places the point there.
  const map = form.getByRole('group', { name: 'Carte : cliquez pour placer le point de la demande' })
  await map.scrollIntoViewIfNeeded()
  const box = (await map.boundingBox())!
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2)
  await form.getByRole('status').filter({ hasText: 'Point placé dans la commune de Nancy' }).waitFor()
  expect(ban.requests.some((u) => u.pathname === '/reverse/')).toBe(true)
  ban.mode = 'ok'
  await context.close()
})
