/**
 * The administrator's screen against the real server: each console is a real core on its own
 * SQLite file behind its own web bridge, in its own Chromium page. Alex (admin) creates a
 * team, renames a category, adds a routing rule; Luc (lead) sees them in his console's
 * reference data through the change feed. A team still used by requests cannot be deleted;
 * every change shows in the item's audit trail; axe finds no serious violation.
 */
import { existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser, Locator, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { listRoutingRules } from '../../src/main/cache/queries/reference'
import { startWebBridge, type WebBridge } from '../../src/main/web/bridge'
import { seriousViolations } from '../support/axe'
import { launchChromium } from '../support/chromium'
import { DEMO_PASSWORD, repoRoot } from '../support/core'
import { openSyncWorld, type SyncWorld } from '../support/syncWorld'

const shots = join(repoRoot, 'test-results')
let world: SyncWorld
let browser: Browser
const bridges: WebBridge[] = []
const clients = new Map<string, Awaited<ReturnType<SyncWorld['client']>>>()

beforeAll(async () => {
  const staticDir = join(repoRoot, 'dist-web')
  if (!existsSync(join(staticDir, 'index.html')))
    throw new Error('dist-web is missing: run `npm run build:web`')
  mkdirSync(shots, { recursive: true })
  world = await openSyncWorld({ requests: 120 })
  browser = await launchChromium({ webgl: false })
})
afterAll(async () => {
  await browser?.close()
  for (const b of bridges) await b.close()
  await world?.close()
})

async function consolePage(name: string, login: string): Promise<Page> {
  const client = await world.client(name, login, { login: false })
  clients.set(name, client)
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
  await expect
    .poll(() => page.getByRole('group', { name: 'Synchronisation avec le serveur' }).textContent(), {
      timeout: 20_000,
    })
    .toContain('En ligne')
  return page
}

const noSerious = async (page: Page, where: string) =>
  expect(await seriousViolations(page, '.admin-view'), where).toEqual([])

/** The status line of the admin screen says `text`. */
const statusSays = (page: Page, text: string) =>
  page.locator('.admin-view [role="status"]').filter({ hasText: text }).waitFor()

const tab = (page: Page, name: RegExp) => page.getByRole('tab', { name })
const listOf = (page: Page, kind: string) => page.getByRole('list', { name: `Liste : ${kind}` })
const audit = (page: Page): Locator => page.getByRole('region', { name: 'Historique des modifications' })

describe('reference administration', () => {
  it('an administrator changes teams, categories and routing on the server; every console follows', async () => {
    const alex = await consolePage('alex', 'alex.admin')
    const luc = await consolePage('luc', 'luc.lead')

    // Only the administrator has the screen.
    expect(await luc.getByRole('link', { name: 'Administration' }).count()).toBe(0)
    await alex.getByRole('link', { name: 'Administration' }).click()
    await tab(alex, /^Équipes/).waitFor()
    expect(await tab(alex, /^Équipes/).getAttribute('aria-selected')).toBe('true')
    await noSerious(alex, 'teams tab')

    // A new team.
    await alex.getByRole('button', { name: 'Nouvelle équipe' }).click()
    await alex.getByRole('textbox', { name: 'Code', exact: true }).fill('mobilite')
    await alex.getByRole('textbox', { name: 'Nom', exact: true }).fill('Mobilités douces')
    await noSerious(alex, 'new team form')
    await alex.getByRole('button', { name: 'Créer' }).click()
    await statusSays(alex, 'Création enregistrée sur le serveur : Mobilités douces')
    await listOf(alex, 'Équipes')
      .getByRole('button', { name: /^Mobilités douces/ })
      .waitFor()
    await expect.poll(() => audit(alex).textContent()).toContain('Création par Alex Mathieu')

    // A category renamed: the audit trail says from what to what.
    await tab(alex, /^Catégories/).click()
    await listOf(alex, 'Catégories')
      .getByRole('button', { name: /^Voirie et trottoirs/ })
      .click()
    const nameFr = alex.getByRole('textbox', { name: 'Nom (français)' })
    await expect.poll(() => nameFr.inputValue()).toBe('Voirie et trottoirs')
    await nameFr.fill('Voirie, trottoirs et chaussées')
    await noSerious(alex, 'category form')
    await alex.getByRole('button', { name: 'Enregistrer', exact: true }).click()
    await statusSays(alex, 'Modification enregistrée sur le serveur : Voirie, trottoirs et chaussées')
    await expect
      .poll(() => audit(alex).textContent())
      .toContain(
        'Nom : Voirie et trottoirs / Roads and pavements → Voirie, trottoirs et chaussées / Roads and pavements',
      )
    expect(await audit(alex).textContent()).toContain('Modification par Alex Mathieu')
    await alex.screenshot({ path: join(shots, 'admin-category.png') })

    // A routing rule to the new team, on the renamed category and the phone.
    await tab(alex, /^Règles d’affectation/).click()
    await alex.getByRole('button', { name: 'Nouvelle règle' }).click()
    await alex.getByRole('textbox', { name: 'Nom', exact: true }).fill('Nids-de-poule signalés par téléphone')
    await alex.getByRole('textbox', { name: 'Position' }).fill('5')
    await alex
      .getByRole('combobox', { name: 'Catégorie', exact: true })
      .selectOption({ label: 'Voirie, trottoirs et chaussées' })
    await alex.getByRole('combobox', { name: 'Sous-catégorie' }).selectOption({ label: 'Nid-de-poule' })
    await alex.getByRole('combobox', { name: 'Canal' }).selectOption({ label: 'Téléphone' })
    await alex
      .getByRole('combobox', { name: 'Équipe', exact: true })
      .selectOption({ label: 'Mobilités douces' })
    await noSerious(alex, 'routing rule form')
    await alex.getByRole('button', { name: 'Créer' }).click()
    await statusSays(alex, 'Création enregistrée sur le serveur : Nids-de-poule signalés par téléphone')
    // Rules are listed in the order they are tried: position 5 comes first.
    await expect
      .poll(() => listOf(alex, 'Règles d’affectation').getByRole('button').first().textContent())
      .toContain('Nids-de-poule signalés par téléphone')

    // Sectors: name and commune code editable, the outline read only.
    await tab(alex, /^Secteurs/).click()
    await listOf(alex, 'Secteurs').getByRole('button').first().click()
    await alex.getByRole('img', { name: /Aperçu du contour du secteur/ }).waitFor()
    expect(await alex.locator('figcaption').textContent()).toMatch(/sommets/)
    await noSerious(alex, 'sector form')
    await alex.screenshot({ path: join(shots, 'admin-sector.png') })

    // Luc's console gets the new reference data through the change feed: his filters list it.
    const teamFilter = luc.getByRole('combobox', { name: 'Équipe' })
    await expect
      .poll(() => teamFilter.locator('option').allTextContents(), { timeout: 15_000 })
      .toContain('Mobilités douces')
    await expect
      .poll(() =>
        luc.getByRole('combobox', { name: 'Catégorie', exact: true }).locator('option').allTextContents(),
      )
      .toContain('Voirie, trottoirs et chaussées')
    // His core holds the new rule too (the reference bundle): new requests there route with it.
    expect(listRoutingRules(clients.get('luc')!.db).map((r) => [r.position, r.name, r.teamId])[0]).toEqual([
      5,
      'Nids-de-poule signalés par téléphone',
      'mobilite',
    ])

    // A team that still handles requests cannot be deleted: the server says why.
    await tab(alex, /^Équipes/).click()
    await listOf(alex, 'Équipes')
      .getByRole('button', { name: /^Voirie\b/ })
      .first()
      .click()
    await alex.getByRole('button', { name: 'Supprimer' }).click()
    await alex.getByRole('button', { name: 'Confirmer la suppression' }).click()
    const refusal = alex.locator('.admin-editor [role="alert"]')
    await expect.poll(() => refusal.textContent()).toContain('Suppression refusée')
    expect(await refusal.textContent()).toMatch(/demande/)
    await noSerious(alex, 'deletion refused')

    // Once nothing uses them, the rule and then the team go; the deletion is audited.
    await tab(alex, /^Règles d’affectation/).click()
    await listOf(alex, 'Règles d’affectation')
      .getByRole('button', { name: /^5 Nids-de-poule/ })
      .click()
    await alex.getByRole('button', { name: 'Supprimer' }).click()
    await alex.getByRole('button', { name: 'Confirmer la suppression' }).click()
    await statusSays(alex, 'Suppression enregistrée sur le serveur : Nids-de-poule signalés par téléphone')
    await tab(alex, /^Équipes/).click()
    await listOf(alex, 'Équipes')
      .getByRole('button', { name: /^Mobilités douces/ })
      .click()
    await expect.poll(() => audit(alex).textContent()).toContain('Création par Alex Mathieu')
    await alex.getByRole('button', { name: 'Supprimer' }).click()
    await alex.getByRole('button', { name: 'Confirmer la suppression' }).click()
    await statusSays(alex, 'Suppression enregistrée sur le serveur : Mobilités douces')
    await expect
      .poll(() => teamFilter.locator('option').allTextContents(), { timeout: 15_000 })
      .not.toContain('Mobilités douces')

    await alex.screenshot({ path: join(shots, 'admin-alex.png') })
  })

  it('an administrator creates an API account, sees its key once, and revokes it', async () => {
    const alex = await consolePage('alex-keys', 'alex.admin')
    await alex.getByRole('link', { name: 'Administration' }).click()
    await tab(alex, /^Comptes d’API/).click()
    expect(await tab(alex, /^Comptes d’API/).getAttribute('aria-selected')).toBe('true')
    const accounts = alex.getByRole('table', { name: 'Liste des comptes d’API' })
    await alex.getByRole('button', { name: 'Nouveau compte d’API' }).click()
    await alex.getByRole('textbox', { name: 'Nom du compte' }).fill('Cantines (test)')
    await alex.getByRole('checkbox', { name: 'Lire les demandes (API partenaires)' }).check()
    await alex.getByRole('radio', { name: 'Seulement les équipes cochées' }).check()
    await alex.getByRole('checkbox', { name: 'Voirie', exact: true }).check()
    await alex.getByRole('textbox', { name: 'Débit (appels par minute)' }).fill('120')
    await alex.getByRole('textbox', { name: 'Expiration (en jours)' }).fill('30')
    await noSerious(alex, 'new API account form')
    await alex.getByRole('button', { name: 'Créer le compte' }).click()

    // The key, once, in a modal dialog.
    const dialog = alex.getByRole('dialog', { name: 'Clé du compte « Cantines (test) »' })
    await dialog.waitFor()
    expect(await dialog.textContent()).toContain('elle ne sera plus jamais affichée')
    const key = await dialog.getByRole('textbox', { name: 'Clé d’API' }).inputValue()
    expect(key).toMatch(/^grc_[0-9a-f]{8}_/)
    await dialog.getByRole('button', { name: 'Copier la clé' }).click()
    await expect.poll(() => dialog.getByRole('status').textContent()).toMatch(/copiée|Ctrl\+C/)
    await noSerious(alex, 'API key dialog')
    await alex.screenshot({ path: join(shots, 'admin-api-key.png') })
    await dialog.getByRole('button', { name: 'J’ai copié la clé, fermer' }).click()
    await dialog.waitFor({ state: 'detached' })
    expect(await alex.content()).not.toContain(key)
    await statusSays(alex, 'Compte d’API créé : Cantines (test)')
    const row = accounts.getByRole('row', { name: /Cantines \(test\)/ })
    expect(await row.textContent()).toContain('Équipes : Voirie')
    expect(await row.textContent()).toContain('Actif')

    const partner = () =>
      fetch(`${world.url}/api/v1/partner/requests`, { headers: { authorization: `Bearer ${key}` } })
    expect((await partner()).status).toBe(200)

    // Revoked after a confirmation: the server refuses the key from then on.
    await row.getByRole('button', { name: 'Révoquer « Cantines (test) »' }).click()
    await noSerious(alex, 'revocation confirmation')
    await row.getByRole('button', { name: 'Confirmer la révocation' }).click()
    await statusSays(alex, 'Compte d’API révoqué : Cantines (test)')
    await expect.poll(() => row.textContent()).toContain('Révoqué le')
    // Its last use (just now) stays shown.
    await expect.poll(() => row.textContent()).not.toContain('jamais')
    expect((await partner()).status).toBe(401)
    await noSerious(alex, 'API accounts tab')
    await alex.screenshot({ path: join(shots, 'admin-api-accounts.png') })
  })
})
