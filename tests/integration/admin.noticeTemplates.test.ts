/**
 * Reply templates administered through the console's contract, against the real server and
 * a real SMTP relay (issue 14): an administrator lists the templates in force, saves a
 * category's own text, and the next e-mail the server sends says it; a save on a stale
 * version is refused with the text now in force; going back to the default is heard in the
 * next e-mail too. Other roles are refused by the core, and a console that cannot reach the
 * server says so in words.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AppConfigSchema } from '../../src/core/config'
import type { NoticeTemplates, NoticeTemplateSlot } from '../../src/shared/channels/noticeTemplates'
import { NEEDS_SERVER } from '../../src/main/services/noticeTemplateHandlers'
import { startTestSmtpServer, type TestSmtpServer } from '../support/smtpServer'
import { openSyncWorld, type SyncClient, type SyncWorld } from '../support/syncWorld'
import { makePki } from '../support/tlsCerts'

const PASSWORD_ENV = 'GRC_TEST_TEMPLATES_SMTP_PASSWORD'

let world: SyncWorld
let smtp: TestSmtpServer
let alex: SyncClient

beforeAll(async () => {
  const pki = makePki()
  smtp = await startTestSmtpServer(pki)
  process.env[PASSWORD_ENV] = smtp.password
  const config = AppConfigSchema.parse({
    privacy: { retention: { anonymiseAfterClosedMonths: null } },
    notifications: {
      smtp: {
        url: smtp.url,
        from: 'Ville de Nancy <grc@nancy.example>',
        startTls: 'required',
        caFile: pki.caFile,
        auth: { user: smtp.user, password: { env: PASSWORD_ENV } },
      },
      retry: { maxAttempts: 2, initialDelaySeconds: 0.2, maxDelaySeconds: 1 },
    },
  })
  world = await openSyncWorld({ requests: 0, server: { config } })
  alex = await world.client('alex', 'alex.admin')
  await alex.settle()
})

afterAll(async () => {
  await world?.close()
  await smtp?.close()
  delete process.env[PASSWORD_ENV]
})

const slotOf = (all: NoticeTemplates, categoryId: string, event: string): NoticeTemplateSlot => {
  const slot = all.slots.find((s) => s.categoryId === categoryId && s.event === event)
  if (!slot) throw new Error(`no slot ${categoryId}/${event}`)
  return slot
}

/** A civil-status request from the portal by a citizen who gave an e-mail; its id and reference. */
async function portalRequest(email: string): Promise<{ id: string; reference: string }> {
  const res = await fetch(`${world.url}/open311/v2/requests.json`, {
    method: 'POST',
    body: new URLSearchParams({
      api_key: 'test-portal-key',
      service_code: 'etat-civil',
      'attribute[subcategory]': 'Acte de naissance',
      description: 'Je souhaite une copie intégrale de mon acte de naissance.',
      first_name: 'Gaëlle',
      last_name: 'Lefrançois',
      email,
    }),
  })
  expect(res.status).toBe(200)
  const [receipt] = (await res.json()) as Array<{ service_request_id: string; service_notice: string }>
  return {
    id: receipt!.service_request_id,
    reference: /GRC-\d{4}-\d{6}/.exec(receipt!.service_notice)![0],
  }
}

/** Alex answers the citizen from the console; the e-mail the relay receives for it. */
async function replyAndReceive(email: string, body: string) {
  const request = await portalRequest(email)
  await alex.settle()
  const before = smtp.received.length
  await alex.value('request.comment', { id: request.id, kind: 'public', body })
  await alex.settle()
  const received = await smtp.waitFor(before + 1, 15_000)
  const mail = received.slice(before).find((m) => m.envelopeTo.includes(email))
  expect(mail, `no e-mail to ${email}`).toBeTruthy()
  return { ...request, mail: mail!.mail }
}

const civilStatus = {
  categoryId: 'etat-civil',
  event: 'public_reply',
  subject: 'État civil — {reference}',
  body: 'Madame, Monsieur,\n\n{message}\n\nLe service {service} de la Ville de Nancy',
  sms: '{reference} : {message}',
}

describe('reply templates through the contract', () => {
  it('lists every category’s templates in force, the shipped ones first, with the placeholders', async () => {
    const all = await alex.value('admin.noticeTemplates', {})
    expect(slotOf(all, '*', 'public_reply')).toMatchObject({ source: 'default', version: 0 })
    expect(slotOf(all, 'etat-civil', 'public_reply')).toMatchObject({
      source: 'inherited',
      inheritedFrom: { categoryId: '*', event: 'public_reply' },
      subject: slotOf(all, '*', 'public_reply').subject,
      version: 0,
    })
    // The transitions the category's workflow notifies are offered by their label.
    expect(all.slots.filter((s) => s.categoryId === 'etat-civil').map((s) => s.event)).toContain(
      'transition:reject',
    )
    expect(all.transitionLabels['transition:reject']).toEqual({ fr: 'Rejeter', en: 'Reject' })
    expect(all.placeholders.map((p) => p.name)).toEqual(
      expect.arrayContaining(['reference', 'categorie', 'adresse', 'date', 'service']),
    )
    // The agent's own name is not offered: the server does not allow it.
    expect(all.allowAgentName).toBe(false)
    expect(all.placeholders.map((p) => p.name)).not.toContain('agent')
  })

  it('refuses an unknown placeholder or the agent’s name in words, and saves nothing', async () => {
    const unknown = await alex.call('admin.saveNoticeTemplate', {
      ...civilStatus,
      body: 'Bonjour {prenom}, {message}',
      baseVersion: 0,
    })
    expect(unknown).toMatchObject({ ok: false, error: { code: 'invalid_input' } })
    expect(!unknown.ok && unknown.error.message).toContain('variable inconnue {prenom}')
    const agent = await alex.call('admin.saveNoticeTemplate', {
      ...civilStatus,
      body: '{message}\n{agent}',
      baseVersion: 0,
    })
    expect(agent).toMatchObject({ ok: false, error: { code: 'invalid_input' } })
    expect(!agent.ok && agent.error.message).toContain('{agent} n’est pas permis')
    const all = await alex.value('admin.noticeTemplates', {})
    expect(slotOf(all, 'etat-civil', 'public_reply').source).toBe('inherited')
  })

  it('saves a category’s own template, and the next e-mail the server sends follows it', async () => {
    const all = await alex.value('admin.saveNoticeTemplate', { ...civilStatus, baseVersion: 0 })
    expect(slotOf(all, 'etat-civil', 'public_reply')).toMatchObject({
      source: 'server',
      version: 1,
      subject: civilStatus.subject,
      updatedBy: 'Alex Mathieu',
    })
    // Other categories still read the shipped text.
    expect(slotOf(all, 'voirie', 'public_reply').source).toBe('inherited')

    const { reference, mail } = await replyAndReceive(
      'modele.console@example.org',
      'Votre livret de famille est prêt.',
    )
    expect(mail.subject).toBe(`État civil — ${reference}`)
    expect(mail.text?.trim()).toBe(
      'Madame, Monsieur,\n\nVotre livret de famille est prêt.\n\nLe service État civil de la Ville de Nancy',
    )
  })

  it('keeps the SMS text in force when a save leaves it out', async () => {
    const seen = slotOf(await alex.value('admin.noticeTemplates', {}), 'etat-civil', 'public_reply')
    const all = await alex.value('admin.saveNoticeTemplate', {
      categoryId: 'etat-civil',
      event: 'public_reply',
      subject: 'État civil — {reference}',
      body: 'Madame, Monsieur,\n\n{message}\n\nLe service {service}',
      baseVersion: seen.version,
    })
    expect(slotOf(all, 'etat-civil', 'public_reply')).toMatchObject({ version: 2, sms: seen.sms })
  })

  it('refuses a save on a stale version, saying who saved since, with the text now in force', async () => {
    const other = await world.client('alex-2', 'alex.admin')
    const seen = slotOf(await alex.value('admin.noticeTemplates', {}), 'etat-civil', 'public_reply')
    await other.value('admin.saveNoticeTemplate', {
      ...civilStatus,
      subject: 'Ville de Nancy — {reference}',
      baseVersion: seen.version,
    })
    const stale = await alex.call('admin.saveNoticeTemplate', {
      ...civilStatus,
      subject: 'Mairie — {reference}',
      baseVersion: seen.version,
    })
    expect(stale).toMatchObject({ ok: false, error: { code: 'version_conflict' } })
    if (stale.ok) return
    expect(stale.error.message).toContain('modifié entre-temps par Alex Mathieu')
    expect(stale.error.details).toMatchObject({
      current: { subject: 'Ville de Nancy — {reference}', version: seen.version + 1, source: 'server' },
    })
  })

  it('goes back to the shipped template, which the next e-mail follows again', async () => {
    const all = await alex.value('admin.resetNoticeTemplate', {
      categoryId: 'etat-civil',
      event: 'public_reply',
    })
    expect(slotOf(all, 'etat-civil', 'public_reply')).toMatchObject({ source: 'inherited', version: 0 })
    const again = await alex.call('admin.resetNoticeTemplate', {
      categoryId: 'etat-civil',
      event: 'public_reply',
    })
    expect(again).toMatchObject({ ok: false, error: { code: 'not_found' } })
    expect(!again.ok && again.error.message).toContain('rien à rétablir')

    const { reference, mail } = await replyAndReceive('retour.defaut@example.org', 'Votre acte est prêt.')
    expect(mail.subject).toBe(`Votre demande ${reference} : réponse du service État civil`)
  })

  it('is refused by the core to an agent', async () => {
    const zoe = await world.client('zoe', 'zoe.agent')
    for (const [channel, input] of [
      ['admin.noticeTemplates', {}],
      ['admin.saveNoticeTemplate', { ...civilStatus, baseVersion: 0 }],
      ['admin.resetNoticeTemplate', { categoryId: '*', event: 'public_reply' }],
    ] as const) {
      const r = await zoe.call(channel, input as never)
      expect(r, channel).toMatchObject({ ok: false, error: { code: 'forbidden' } })
      expect(!r.ok && r.error.message, channel).toContain('réservés aux administrateurs')
    }
  })

  it('says a server is needed when it cannot be reached', async () => {
    const away = await world.client('away', 'alex.admin', {
      via: 'http://127.0.0.1:9',
      login: false,
      timeoutSeconds: 1,
    })
    await away.value('session.login', { login: 'alex.admin', password: 'demo' })
    const r = await away.call('admin.noticeTemplates', {})
    expect(r).toMatchObject({ ok: false, error: { code: 'server_unavailable' } })
    expect(!r.ok && r.error.message).toContain(NEEDS_SERVER)
  })
})
