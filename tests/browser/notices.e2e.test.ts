/**
 * A public reply reaches the citizen (issue 14), end to end as an agent sees it: the central
 * server runs as its own process (`src/server/cli.ts --demo --config`), configured to send
 * through the authority's mail relay, here a real SMTP server on loopback (STARTTLS with a
 * throwaway CA, AUTH with a password the server reads from a file). Zoé's console syncs with
 * it; in Chromium she writes « Réponse publique » on a request whose citizen asked to be
 * reached by e-mail. The relay receives the message, addressed to the citizen, naming the
 * request and not Zoé; the request's history on her screen then says the notice was sent.
 */
import { randomUUID } from 'node:crypto'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3-multiple-ciphers'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, expect, inject, it } from 'vitest'
import { parseConfig } from '../../src/core/config'
import { createShellLog } from '../../src/main/app/log'
import { createConsole, type ConsoleCore } from '../../src/main/console'
import { startWebBridge, type WebBridge } from '../../src/main/web/bridge'
import { noticesFr } from '../../src/renderer/i18n/notices.fr'
import { seriousViolations } from '../support/axe'
import { launchChromium } from '../support/chromium'
import { DEMO_PASSWORD, repoRoot } from '../support/core'
import { startServerProcess, type ServerProcess } from '../support/serverProcess'
import { startTestSmtpServer, type TestSmtpServer } from '../support/smtpServer'
import { makePki, type Pki } from '../support/tlsCerts'

const AGENT = 'zoe.agent'
const REPLY = 'Le nid-de-poule sera rebouché par nos équipes dans la semaine. Merci de votre signalement.'

let dir: string
let pki: Pki
let smtp: TestSmtpServer
let server: ServerProcess
let serverDb: string
let core: ConsoleCore
let bridge: WebBridge
let browser: Browser

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'grc-notices-e2e-'))
  pki = makePki()
  smtp = await startTestSmtpServer(pki)
  // The relay's password in a file only the server's user reads, as an authority would keep it.
  const passwordFile = join(dir, 'smtp-password')
  writeFileSync(passwordFile, `${smtp.password}\n`, { mode: 0o600 })
  const configFile = join(dir, 'server-config.json')
  writeFileSync(
    configFile,
    JSON.stringify({
      // The demo's requests closed long ago stay as they are (no anonymisation at start).
      privacy: { retention: { anonymiseAfterClosedMonths: null } },
      notifications: {
        smtp: {
          url: smtp.url,
          from: 'Ville de Nancy <grc@nancy.example>',
          startTls: 'required',
          caFile: pki.caFile,
          auth: { user: smtp.user, password: { file: passwordFile } },
        },
      },
    }),
  )
  serverDb = join(dir, 'server', 'grc.db')
  server = await startServerProcess({ database: serverDb, demoRequests: 400, args: ['--config', configFile] })

  // The console's own log, in the folder the browser project scans for personal data at the end.
  const shellLog = createShellLog({ dir: join(inject('browserLogDir'), randomUUID()), echo: () => {} })
  shellLog.info('start', 'monde de test du navigateur : avis aux usagers par le serveur')
  mkdirSync(join(dir, 'profiles'), { recursive: true })
  core = await createConsole({
    config: parseConfig(
      {
        profile: { name: 'zoe', dataDir: join(dir, 'profiles') },
        demo: { seedWhenEmpty: false },
        sync: { serverUrl: server.url, timeoutSeconds: 5 },
      },
      'test',
    ),
    resourcesDir: join(repoRoot, 'resources'),
    userDataDir: join(dir, 'profiles'),
    secretCipher: null,
    logError: (where, error) => shellLog.error(where, error),
  })
  bridge = await startWebBridge({ core, staticDir: join(repoRoot, 'dist-web') })
  browser = await launchChromium({ webgl: false })
})

afterAll(async () => {
  await browser?.close()
  await bridge?.close()
  await core?.close()
  await server?.close()
  await smtp?.close()
  if (dir) rmSync(dir, { recursive: true, force: true })
  if (pki) rmSync(pki.dir, { recursive: true, force: true })
})

interface Chosen {
  id: string
  reference: string
  email: string
  teamName: string
  agentName: string
}

/**
 * From the server's own database: Zoé's name, and the newest open request of her teams whose
 * citizen gave an e-mail and chose to be reached by it.
 */
function chooseRequest(): Chosen {
  const db = new Database(serverDb, { readonly: true, fileMustExist: true })
  try {
    const agent = db
      .prepare('SELECT display_name AS name, team_ids AS teams FROM agents WHERE login = ?')
      .get(AGENT) as { name: string; teams: string }
    const teams = JSON.parse(agent.teams) as string[]
    const row = db
      .prepare(
        `SELECT r.id, r.reference, c.email, t.data AS team
           FROM requests r
           JOIN citizens c ON c.id = r.citizen_id
           JOIN reference_items t ON t.kind = 'team' AND t.id = r.team_id
          WHERE r.status_kind = 'open' AND c.contact_preference = 'email' AND c.email IS NOT NULL
            AND r.team_id IN (${teams.map(() => '?').join(', ')})
          ORDER BY r.created_at DESC
          LIMIT 1`,
      )
      .get(...teams) as { id: string; reference: string; email: string; team: string } | undefined
    if (!row)
      throw new Error('the demo seed has no open request of Zoé’s teams with a citizen reached by e-mail')
    return {
      id: row.id,
      reference: row.reference,
      email: row.email,
      teamName: (JSON.parse(row.team) as { name: string }).name,
      agentName: agent.name,
    }
  } finally {
    db.close()
  }
}

/** A page logged in as Zoé, once the console's first download from the server is done. */
async function openConsole(): Promise<Page> {
  const context = await browser.newContext({ locale: 'fr-FR', viewport: { width: 1400, height: 900 } })
  const page = await context.newPage()
  page.on('pageerror', (e) => console.error(`[page error] ${e.message}`))
  await page.goto(bridge.openUrl)
  await page.getByRole('textbox', { name: 'Identifiant' }).fill(AGENT)
  await page.getByLabel('Mot de passe').fill(DEMO_PASSWORD)
  await page.getByRole('button', { name: 'Se connecter' }).click()
  await expect
    .poll(() => page.getByRole('group', { name: 'Synchronisation avec le serveur' }).textContent(), {
      timeout: 30_000,
    })
    .toContain('En ligne')
  return page
}

it('sends a public reply to the citizen by e-mail from the server, and the history says it was sent', async () => {
  const chosen = chooseRequest()
  const page = await openConsole()

  await page.getByRole('searchbox', { name: 'Rechercher' }).fill(chosen.reference)
  const option = page.locator(`#queue-row-${chosen.id}`)
  await option.waitFor()
  await option.click()
  const detail = page.getByRole('region', { name: 'Détail de la demande' })
  await expect.poll(() => detail.textContent()).toContain(chosen.reference)

  await detail.getByRole('radio', { name: 'Réponse publique' }).check()
  await detail.getByText('Une réponse publique est envoyée à l’usager.').waitFor()
  await detail.getByRole('textbox', { name: 'Commentaire' }).fill(REPLY)
  const before = smtp.received.length
  await detail.getByRole('button', { name: 'Ajouter le commentaire' }).click()

  // The relay received it: to the citizen, from the service, about this request.
  const [mail] = (await smtp.waitFor(before + 1, 30_000)).slice(before)
  expect(mail!.envelopeTo).toEqual([chosen.email])
  const m = mail!.mail
  expect(m.to && !Array.isArray(m.to) ? m.to.value.map((a) => a.address) : []).toEqual([chosen.email])
  expect(m.from?.value).toEqual([{ address: 'grc@nancy.example', name: 'Ville de Nancy' }])
  expect(m.subject).toBe(`Votre demande ${chosen.reference} : réponse du service ${chosen.teamName}`)
  expect(m.text).toContain(chosen.reference)
  expect(m.text).toContain(REPLY)
  // The citizen hears from the service, never from the agent who wrote.
  const [firstName] = chosen.agentName.split(' ')
  for (const name of [chosen.agentName, firstName!, AGENT]) {
    expect(m.text).not.toContain(name)
    expect(m.subject).not.toContain(name)
  }

  // The server's « sent » comes back through the sync: Zoé's history of the request says so.
  const history = detail.getByRole('region', { name: 'Historique' })
  const sent = noticesFr.sent
    .replace('{channel}', noticesFr.channel.email)
    .replace('{event}', noticesFr.event.public_reply)
  await history.getByText(sent).waitFor({ timeout: 30_000 })
  expect(await history.getByText(noticesFr.problem).count()).toBe(0)
  expect(await page.getByTestId('notice-unreached').count()).toBe(0)
  // Sent once: the « sent » recorded, nothing is tried again.
  expect(smtp.received.slice(before)).toHaveLength(1)

  expect(await seriousViolations(page, '.request-detail')).toEqual([])
  await page.context().close()
})
