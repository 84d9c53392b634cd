/**
 * Reply templates in the Administration screen against the real server (issue 14): Alex
 * (admin) picks a category found by typing, inserts a placeholder with a click, sees an
 * unknown one flagged, saves; the server holds the new text; he goes back to the default.
 * axe finds no serious violation on the tab.
 */
import { randomUUID } from 'node:crypto'
import { existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { createShellLog } from '../../src/main/app/log'
import { startWebBridge, type WebBridge } from '../../src/main/web/bridge'
import { listTemplates } from '../../src/server/notifications/templateStore'
import { seriousViolations } from '../support/axe'
import { launchChromium } from '../support/chromium'
import { DEMO_PASSWORD, repoRoot } from '../support/core'
import { openSyncWorld, type SyncWorld } from '../support/syncWorld'

const shots = join(repoRoot, 'test-results')
let world: SyncWorld
let browser: Browser
let bridge: WebBridge | null = null

beforeAll(async () => {
  const staticDir = join(repoRoot, 'dist-web')
  if (!existsSync(join(staticDir, 'index.html')))
    throw new Error('dist-web is missing: run `npm run build:web`')
  mkdirSync(shots, { recursive: true })
  // The app's own log, in the folder the browser project scans for personal data at the end.
  const shellLog = createShellLog({ dir: join(inject('browserLogDir'), randomUUID()), echo: () => {} })
  shellLog.info('start', 'monde de test du navigateur : modèles de réponse')
  world = await openSyncWorld({ requests: 20 })
  browser = await launchChromium({ webgl: false })
})
afterAll(async () => {
  await browser?.close()
  await bridge?.close()
  await world?.close()
})

async function adminPage(): Promise<Page> {
  const client = await world.client('alex', 'alex.admin', { login: false })
  bridge = await startWebBridge({ core: client.core, staticDir: join(repoRoot, 'dist-web') })
  const context = await browser.newContext({ locale: 'fr-FR', viewport: { width: 1400, height: 900 } })
  const page = await context.newPage()
  page.on('pageerror', (e) => console.error(`[page error] ${e.message}`))
  await page.goto(bridge.openUrl)
  await page.getByRole('textbox', { name: 'Identifiant' }).fill('alex.admin')
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

const serverTemplate = async (categoryId: string, event: string) =>
  (await listTemplates(world.server.store.sql)).find((t) => t.categoryId === categoryId && t.event === event)

describe('reply templates', () => {
  it('an administrator edits a category’s template with placeholders and a preview, then goes back to the default', async () => {
    const page = await adminPage()
    await page.getByRole('link', { name: 'Administration' }).click()
    await page.getByRole('tab', { name: 'Modèles de réponse' }).click()
    const category = page.getByRole('combobox', { name: 'Catégorie' })
    await category.waitFor()
    await noSerious(page, 'templates tab')

    await page.getByRole('searchbox', { name: 'Chercher une catégorie' }).fill('etat civil')
    await category.selectOption({ label: 'État civil' })
    await page.getByRole('combobox', { name: 'Événement' }).selectOption({ label: 'Réponse publique' })
    await expect
      .poll(() => page.getByTestId('template-source').textContent())
      .toContain('Pas de modèle propre')

    const subject = page.getByRole('textbox', { name: 'Objet du courriel' })
    await subject.fill('État civil — ')
    await subject.press('End')
    await page.getByRole('button', { name: /^Insérer \{reference\}/ }).click()
    await expect.poll(() => subject.inputValue()).toBe('État civil — {reference}')
    await expect
      .poll(() => page.locator('[data-preview="subject"]').textContent())
      .toBe('État civil — GRC-2026-000123')

    // An unknown placeholder is flagged, and the save waits for it to go.
    const sms = page.getByRole('textbox', { name: 'Texte du SMS' })
    await sms.fill('{reference} : {message} {signature}')
    await page.getByText('Variable inconnue dans le SMS : {signature}.').waitFor()
    expect(await page.getByRole('button', { name: 'Enregistrer le modèle' }).isDisabled()).toBe(true)
    await noSerious(page, 'template with a problem')
    await sms.fill('{reference} : {message}')
    await page.getByRole('button', { name: 'Enregistrer le modèle' }).click()
    await page.getByRole('status').filter({ hasText: 'Modèle enregistré sur le serveur' }).waitFor()
    expect(await serverTemplate('etat-civil', 'public_reply')).toMatchObject({
      subject: 'État civil — {reference}',
      sms: '{reference} : {message}',
      version: 1,
      updatedBy: 'Alex Mathieu',
    })
    await expect
      .poll(() => page.getByTestId('template-source').textContent())
      .toMatch(/^Version 1, enregistrée sur le serveur par Alex Mathieu/)
    await noSerious(page, 'saved template')
    await page.screenshot({ path: join(shots, 'admin-templates.png') })

    await page.getByRole('button', { name: 'Revenir au modèle par défaut' }).click()
    await page
      .getByRole('group', { name: /modèle par défaut repris/ })
      .getByRole('button', { name: 'Revenir au modèle par défaut' })
      .click()
    await page.getByRole('status').filter({ hasText: 'Modèle par défaut rétabli' }).waitFor()
    expect(await serverTemplate('etat-civil', 'public_reply')).toBeUndefined()
    await expect.poll(() => subject.inputValue()).toMatch(/^Votre demande \{reference\}/)
  })
})
