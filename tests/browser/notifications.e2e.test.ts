/**
 * A notification raised by another console's assignment, in Debian's Chromium: Zoé works in
 * her console (real core behind the web bridge); Luc, the lead, assigns her a request from
 * his own console through the reference server. Zoé's bell counts it within seconds, the
 * panel says it in words, a click opens the request and reads it; the panel and the
 * settings section pass axe.
 */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { seriousViolations } from '../support/axe'
import { repoRoot } from '../support/core'
import { openSyncBrowser } from '../support/syncBrowser'
import { openSyncWorld, type SyncWorld } from '../support/syncWorld'

let world: SyncWorld
let consoles: Awaited<ReturnType<typeof openSyncBrowser>>

beforeAll(async () => {
  world = await openSyncWorld({ requests: 200 })
  consoles = await openSyncBrowser(world)
})
afterAll(async () => {
  await consoles?.close()
  await world?.close()
})

describe('notifications between two consoles', () => {
  it('another console assigns Zoé a request: her bell counts it, the panel says it, a click opens it', async () => {
    const { page } = await consoles.consolePage('zoe', 'zoe.agent')
    const bell = page.getByRole('button', { name: /^Notifications,/ })
    expect(await bell.getAttribute('aria-label')).toBe('Notifications, aucune non lue')

    // Luc, in his own console, assigns her an open request of their team nobody holds.
    const luc = await world.client('luc', 'luc.lead')
    await luc.sync()
    const zoeId = (luc.db.prepare("SELECT id FROM agents WHERE login = 'zoe.agent'").get() as { id: string })
      .id
    const target = luc.db
      .prepare(
        `SELECT r.id, r.reference, r.title FROM requests r JOIN teams t ON t.id = r.team_id
         WHERE t.code = 'voirie' AND r.status_kind = 'open' AND r.assignee_id IS NULL ORDER BY r.reference LIMIT 1`,
      )
      .get() as { id: string; reference: string; title: string }
    await luc.value('request.assign', { id: target.id, assigneeId: zoeId })
    await luc.sync()

    // Zoé did nothing: the server's nudge brings it, the core notifies, the bell counts.
    await expect
      .poll(() => bell.getAttribute('aria-label'), { timeout: 10_000 })
      .toBe('Notifications, 1 non lue')
    await bell.click()
    const panel = page.getByRole('dialog', { name: 'Notifications' })
    const item = panel.getByRole('button', {
      name: new RegExp(`^Demande ${target.reference} vous a été attribuée par Luc Henrion`),
    })
    await item.waitFor()
    expect(await seriousViolations(page, '.notification-panel')).toEqual([])
    mkdirSync(join(repoRoot, 'test-results'), { recursive: true })
    await page.screenshot({ path: join(repoRoot, 'test-results', 'notifications.png') })

    await item.click()
    await panel.waitFor({ state: 'detached' })
    const detail = page.getByRole('region', { name: 'Détail de la demande' })
    await detail.getByRole('heading', { level: 2, name: target.title }).waitFor()
    expect(await detail.textContent()).toContain(target.reference)
    await expect.poll(() => bell.getAttribute('aria-label')).toBe('Notifications, aucune non lue')

    // Her switches in « Paramètres », one per kind, pass axe too.
    await page.getByRole('navigation').getByRole('link', { name: 'Paramètres' }).click()
    const section = page.getByRole('region', { name: 'Notifications' })
    await section
      .getByRole('checkbox', { name: 'Une demande m’est attribuée par quelqu’un d’autre' })
      .waitFor()
    expect(await seriousViolations(page, '.notification-settings')).toEqual([])
  })
})
