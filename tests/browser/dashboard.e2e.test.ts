/**
 * « Tableau de bord » in Debian's Chromium against the real core (issue 15): a lead opens it
 * from the navigation, every chart is drawn on its canvas with its summary and table, the
 * table agrees with the core's figures, a chart's CSV and PNG download from the keyboard, the
 * monthly report gets one page per team, the CSP refuses nothing, and axe finds nothing
 * serious.
 */
import { readFileSync } from 'node:fs'
import type { Download } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { presetPeriod } from '../../src/renderer/components/dashboard/period'
import { seriousViolations } from '../support/axe'
import { openBrowserWorld, type BrowserWorld } from '../support/browser'

let world: BrowserWorld

beforeAll(async () => {
  world = await openBrowserWorld(1500)
})
afterAll(() => world?.close())

const readDownload = async (download: Download) => readFileSync((await download.path())!)

it('shows a lead their teams’ charts, with tables, exports and a monthly report', async () => {
  // What the core computes for Luc over the screen's default period (asked before the
  // browser's session: the core holds one).
  const t = world.core
  await t.as('luc.lead')
  const figures = await t.value('dashboard.figures', presetPeriod('weeks12', new Date()))
  expect(figures.teams.map((x) => x.id).sort()).toEqual(['voirie', 'voirie-nord'])

  const page = await world.newPage()
  const refused: string[] = []
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) refused.push(m.text())
  })
  await world.login(page, 'luc.lead')
  await page.getByRole('listbox', { name: 'Demandes' }).waitFor()

  await page.getByRole('link', { name: 'Tableau de bord' }).click()
  const view = page.locator('.dashboard-view')
  const weekly = view.getByRole('region', { name: 'Demandes reçues et clôturées par semaine' })
  await weekly.waitFor()
  await expect.poll(() => view.locator('section.dashboard-chart').count()).toBe(7)
  // ECharts drew on its canvas.
  await expect.poll(() => weekly.locator('canvas').count()).toBeGreaterThan(0)

  // The table says what the core computed for the same period and teams.
  await weekly.getByText('Voir les données (tableau)').click()
  const cells = await weekly
    .locator('tbody tr')
    .evaluateAll((rows) =>
      rows.map((r) => [...r.querySelectorAll('td')].map((c) => Number(c.textContent!.replace(/\s/g, '')))),
    )
  expect(cells).toEqual(figures.weeks.map((w) => [w.incoming, w.closed]))
  const summary = await weekly.locator('p.summary').innerText()
  const total = figures.weeks.reduce((s, w) => s + w.incoming, 0)
  expect(summary.replace(/\s/g, '')).toContain(`période,${total}demandes`)

  // The CSV, from the keyboard.
  const csvButton = weekly.getByRole('button', {
    name: 'Télécharger les données de « Demandes reçues et clôturées par semaine » en CSV',
  })
  await csvButton.focus()
  const [csv] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Enter')])
  const text = (await readDownload(csv)).toString('utf8')
  expect(text.startsWith('\uFEFFSemaine du;Reçues;Clôturées\r\n')).toBe(true)
  expect(text.trim().split('\r\n')).toHaveLength(figures.weeks.length + 1)

  // The PNG of the chart.
  const [png] = await Promise.all([
    page.waitForEvent('download'),
    weekly.getByRole('button', { name: /en image PNG$/ }).click(),
  ])
  expect(png.suggestedFilename()).toMatch(/\.png$/)
  expect((await readDownload(png)).subarray(1, 4).toString('latin1')).toBe('PNG')

  // The monthly report: one page per team (printing itself is the browser's).
  await page.evaluate('window.print = () => {}')
  await view.getByRole('button', { name: 'Rapport mensuel imprimable' }).click()
  const report = view.getByRole('region', { name: 'Rapport mensuel imprimable' })
  await expect.poll(() => report.locator('article.report-page').count()).toBe(2)
  expect(await report.locator('article.report-page .team').allInnerTexts()).toEqual(
    expect.arrayContaining(['Équipe : Voirie', 'Équipe : Voirie – secteur Nord']),
  )

  expect(refused).toEqual([])
  expect(await seriousViolations(page, '.dashboard-view')).toEqual([])
  await page.context().close()
})
