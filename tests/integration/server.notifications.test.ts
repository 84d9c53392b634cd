/**
 * Notices to citizens, sent by the server (issue 14), on SQLite and PostgreSQL: a real
 * SMTP relay on loopback (smtp-server: STARTTLS with the authority's own CA, AUTH) and a
 * stand-in of the SMS provider answering its documented JSON format. A public reply and a
 * transition with `notify_citizen` reach the citizen by the channel they chose; a relay
 * that refuses for now is tried again after a growing wait; a mailbox that does not exist
 * is a bounce; every outcome is in the request's history as consoles read it from the
 * feed; Open311's status_notes carry the latest public reply.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AppConfigSchema } from '../../src/core/config'
import type { ServerHistoryEvent } from '../../src/shared/sync'
import { startNotificationJob } from '../../src/server/notifications/dispatcher'
import { startServer, type RunningServer } from '../../src/server/start'
import { repoRoot } from '../support/core'
import { accessTokenOf } from '../support/passwordLogin'
import { TEST_STORE, testDatabase } from '../support/serverStore'
import { startTestSmtpServer, type TestSmtpServer } from '../support/smtpServer'
import { makePki } from '../support/tlsCerts'
import { feedHistory } from '../support/feedHistory'

const PORTAL_KEY = 'notices-portal-key'
const SMS_TOKEN = 'jeton-fournisseur-sms'
const PASSWORD_ENV = 'GRC_TEST_SMTP_PASSWORD'
const RETRY_MS = 300

let dir: string
let smtp: TestSmtpServer
let pki: ReturnType<typeof makePki>
let sms: {
  server: Server
  url: string
  received: Array<{ auth: string | undefined; body: Record<string, string> }>
  refuse: Set<string>
}
let server: RunningServer
let config: ReturnType<typeof AppConfigSchema.parse>
let sara: string
let clientId: string

async function readJson(req: IncomingMessage): Promise<Record<string, string>> {
  const chunks: Buffer[] = []
  for await (const c of req) chunks.push(c as Buffer)
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, string>
}

/** The SMS provider's documented `http-json` format: POST {from, to, text}, bearer token; 400 for a number it refuses. */
async function startSmsStandIn() {
  const received: typeof sms.received = []
  const refuse = new Set<string>()
  const s = createServer((req, res) => {
    void readJson(req).then((body) => {
      received.push({ auth: req.headers.authorization, body })
      res.setHeader('content-type', 'application/json')
      if (refuse.has(body.to!)) {
        res.statusCode = 400
        return res.end(JSON.stringify({ error: `invalid number ${body.to}` }))
      }
      res.end(JSON.stringify({ id: `sms-${received.length}` }))
    })
  })
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve))
  return { server: s, url: `http://127.0.0.1:${(s.address() as AddressInfo).port}/v1/sms`, received, refuse }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'grc-notices-'))
  pki = makePki()
  smtp = await startTestSmtpServer(pki)
  sms = await startSmsStandIn()
  process.env[PASSWORD_ENV] = smtp.password
  const tokenFile = join(dir, 'sms-token')
  writeFileSync(tokenFile, `${SMS_TOKEN}\n`, { mode: 0o600 })
  config = AppConfigSchema.parse({
    privacy: { retention: { anonymiseAfterClosedMonths: null } },
    notifications: {
      smtp: {
        url: smtp.url,
        from: 'Ville de Nancy <grc@nancy.example>',
        startTls: 'required',
        caFile: pki.caFile,
        auth: { user: smtp.user, password: { env: PASSWORD_ENV } },
      },
      sms: { url: sms.url, token: { file: tokenFile }, sender: 'NANCY' },
      retry: { maxAttempts: 4, initialDelaySeconds: RETRY_MS / 1000, maxDelaySeconds: 10 },
    },
  })
  server = await startServer({
    database: await testDatabase(dir),
    resourcesDir: join(repoRoot, 'resources'),
    config,
    demoRequests: 0,
    portalKey: PORTAL_KEY,
  })
  clientId = crypto.randomUUID()
  sara = await accessTokenOf(server.url, 'sara.sup', clientId)
})

afterAll(async () => {
  await server?.close()
  await smtp?.close()
  await new Promise((resolve) => sms?.server.close(resolve))
  delete process.env[PASSWORD_ENV]
  rmSync(dir, { recursive: true, force: true })
})

/** A civil-status request from a portal, by a citizen with these contact fields; its id and reference. */
async function portalRequest(contact: Record<string, string>): Promise<{ id: string; reference: string }> {
  const res = await fetch(`${server.url}/open311/v2/requests.json`, {
    method: 'POST',
    body: new URLSearchParams({
      api_key: PORTAL_KEY,
      service_code: 'etat-civil',
      'attribute[subcategory]': 'Acte de naissance',
      description: 'Je souhaite une copie intégrale de mon acte de naissance.',
      first_name: 'Gaëlle',
      last_name: 'Lefrançois',
      ...contact,
    }),
  })
  expect(res.status).toBe(200)
  const [receipt] = (await res.json()) as Array<{ service_request_id: string; service_notice: string }>
  const reference = /GRC-\d{4}-\d{6}/.exec(receipt!.service_notice)![0]
  return { id: receipt!.service_request_id, reference }
}

async function mutate(requestId: string, op: 'comment' | 'transition', payload: Record<string, unknown>) {
  const version = (await server.store.sql.get<{ version: number }>(
    'SELECT version FROM requests WHERE id = ?',
    [requestId],
  ))!.version
  const res = await fetch(`${server.url}/api/v1/mutations`, {
    method: 'POST',
    headers: { authorization: `Bearer ${sara}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      mutations: [
        {
          mutationId: crypto.randomUUID(),
          clientId,
          entityId: requestId,
          baseVersion: Number(version),
          createdAt: Date.now(),
          op,
          payload,
        },
      ],
    }),
  })
  const { results } = (await res.json()) as { results: Array<{ status: string; reason?: string }> }
  expect(results[0], results[0]?.reason).toMatchObject({ status: 'applied' })
}

const publicReply = (requestId: string, body: string) =>
  mutate(requestId, 'comment', { commentId: crypto.randomUUID(), kind: 'public', body })

const notices = (history: ServerHistoryEvent[]) => history.filter((h) => h.kind.startsWith('notice_'))

/** Poll the feed until the request's notices reach `count` events. */
async function waitForNotices(requestId: string, count: number, timeoutMs = 15_000) {
  const until = Date.now() + timeoutMs
  for (;;) {
    const events = notices(await feedHistory(server.url, sara, requestId))
    if (events.length >= count || Date.now() > until) return events
    await new Promise((r) => setTimeout(r, 100))
  }
}

describe(`notices to citizens on ${TEST_STORE}`, () => {
  it('sends a public reply by e-mail from the service, in French, and the history says it was sent', async () => {
    const { id, reference } = await portalRequest({ email: 'gaelle.lefrancois@example.org' })
    const before = smtp.received.length
    await publicReply(
      id,
      'Votre acte est prêt : retirez-le à l’accueil de l’hôtel de ville, muni d’une pièce d’identité.',
    )
    const [mail] = (await smtp.waitFor(before + 1)).slice(before)
    expect(mail!.envelopeTo).toEqual(['gaelle.lefrancois@example.org'])
    const m = mail!.mail
    expect(m.from?.value).toEqual([{ address: 'grc@nancy.example', name: 'Ville de Nancy' }])
    expect(m.to && !Array.isArray(m.to) ? m.to.value.map((a) => a.address) : []).toEqual([
      'gaelle.lefrancois@example.org',
    ])
    expect(m.subject).toBe(`Votre demande ${reference} : réponse du service État civil`)
    expect(m.headers.get('auto-submitted')).toBe('auto-generated')
    expect(
      String(
        (m.headers.get('content-type') as { params?: { charset?: string } }).params?.charset,
      ).toLowerCase(),
    ).toBe('utf-8')
    expect(m.text).toContain(reference)
    expect(m.text).toMatch(
      new RegExp(
        `Votre demande ${reference} du \\d{1,2} \\S+ \\d{4} \\(État civil\\) a reçu une réponse du service État civil :`,
      ),
    )
    expect(m.text).toContain('Votre acte est prêt : retirez-le à l’accueil de l’hôtel de ville')
    // The citizen hears from the service, never from the agent who wrote.
    expect(m.text).not.toMatch(/Sara|Lefèvre/)
    expect(mail!.raw.toString('latin1')).not.toMatch(/Sara|Lef=C3=A8vre/)

    const events = await waitForNotices(id, 1)
    expect(events.map((e) => e.kind)).toEqual(['notice_sent'])
    expect(events[0]!.data).toMatchObject({ channel: 'email', event: 'public_reply', attempt: 1 })
    expect(events[0]!.actorName).toBeNull()
    expect(JSON.stringify(events)).not.toContain('gaelle.lefrancois')
  })

  it('tries again with a growing wait when the relay refuses for now, then sends: failed, failed, sent', async () => {
    const { id, reference } = await portalRequest({ email: 'gaelle.retry@example.org' })
    const before = smtp.received.length
    smtp.refuseNext(2)
    await publicReply(id, 'Nous avons bien reçu votre demande.')
    const [mail] = (await smtp.waitFor(before + 1)).slice(before)
    expect(mail!.mail.subject).toContain(reference)
    const tries = smtp.attempts.filter((a) => a.to === 'gaelle.retry@example.org')
    expect(tries.map((t) => t.refused)).toEqual([true, true, false])

    const events = await waitForNotices(id, 3)
    expect(events.map((e) => [e.kind, e.data.attempt])).toEqual([
      ['notice_failed', 1],
      ['notice_failed', 2],
      ['notice_sent', 3],
    ])
    // The reason in words, the relay's code, and when it is tried again: initial wait, then doubled.
    for (const [i, e] of events.slice(0, 2).entries()) {
      expect(e.data.reason).toMatch(/^Refus du serveur de messagerie \(451\)/)
      expect(e.data.final).toBe(false)
      expect(Date.parse(e.data.retryAt as string) - e.at).toBe(RETRY_MS * 2 ** i)
    }
    // The relay saw each retry no sooner than its wait: the initial one, then twice as long.
    expect(tries[1]!.at - tries[0]!.at).toBeGreaterThanOrEqual(RETRY_MS - 20)
    expect(tries[2]!.at - tries[1]!.at).toBeGreaterThanOrEqual(2 * RETRY_MS - 20)
  })

  it('marks a mailbox the relay does not know as bounced, with a reason that does not repeat the address', async () => {
    const { id } = await portalRequest({ email: 'personne@example.org' })
    smtp.unknownMailbox('personne@example.org')
    await publicReply(id, 'Votre demande est en cours de traitement.')
    const events = await waitForNotices(id, 1)
    expect(events.map((e) => e.kind)).toEqual(['notice_bounced'])
    expect(events[0]!.data.reason).toMatch(/^Adresse refusée par le serveur de messagerie \(550\)/)
    expect(JSON.stringify(events[0]!.data)).not.toContain('personne@')
    // Refused for good: never tried again.
    await new Promise((r) => setTimeout(r, RETRY_MS * 2))
    expect(smtp.attempts.filter((a) => a.to === 'personne@example.org')).toHaveLength(1)
  })

  it('sends a status change with notify_citizen by SMS to a citizen who gave only a mobile number', async () => {
    const { id, reference } = await portalRequest({ phone: '06 12 34 56 78' })
    const before = sms.received.length
    await mutate(id, 'transition', {
      transitionId: 'reject',
      fields: { reason: 'Acte déjà délivré le 2 décembre.' },
    })
    const events = await waitForNotices(id, 1)
    expect(events.map((e) => [e.kind, e.data.channel])).toEqual([['notice_sent', 'sms']])
    const sent = sms.received.slice(before)
    expect(sent).toHaveLength(1)
    expect(sent[0]!.auth).toBe(`Bearer ${SMS_TOKEN}`)
    expect(sent[0]!.body).toMatchObject({ from: 'NANCY', to: '+33612345678' })
    expect(sent[0]!.body.text).toBe(
      `Demande ${reference} non retenue : Acte déjà délivré le 2 décembre. — État civil`,
    )
  })

  it('says in the history when the SMS provider refuses a number, and an internal note sends nothing', async () => {
    const { id } = await portalRequest({ phone: '07 00 00 00 01' })
    sms.refuse.add('+33700000001')
    await mutate(id, 'comment', {
      commentId: crypto.randomUUID(),
      kind: 'internal',
      body: 'Vérifier le registre.',
    })
    await mutate(id, 'transition', {
      transitionId: 'ask_citizen',
      fields: { holdReason: 'Date de naissance ?' },
    })
    const events = await waitForNotices(id, 1)
    expect(events.map((e) => e.kind)).toEqual(['notice_bounced'])
    expect(events[0]!.data.reason).toMatch(/^Numéro refusé par le fournisseur SMS \(400\)/)
    expect(JSON.stringify(events[0]!.data)).not.toMatch(/0000/)
  })

  it('tells the agent why nothing was sent to a citizen who prefers letters (no channel to try)', async () => {
    const { id } = await portalRequest({ email: 'courrier@example.org' })
    await server.store.sql.run(
      "UPDATE citizens SET contact_preference = 'post' WHERE id = (SELECT citizen_id FROM requests WHERE id = ?)",
      [id],
    )
    const before = smtp.received.length
    await publicReply(id, 'Votre acte vous sera envoyé.')
    const events = await waitForNotices(id, 1)
    expect(events.map((e) => [e.kind, e.data.final])).toEqual([['notice_failed', true]])
    expect(events[0]!.data.reason).toMatch(/courrier postal/)
    expect(smtp.received.length).toBe(before)
  })

  it('gives Open311 portals the latest public reply as status_notes, and the status as it changes', async () => {
    const { id } = await portalRequest({})
    const read = async () => {
      const res = await fetch(`${server.url}/open311/v2/requests/${id}.json`)
      return ((await res.json()) as Array<{ status: string; status_notes: string | null }>)[0]!
    }
    expect(await read()).toMatchObject({ status: 'open', status_notes: null })
    await publicReply(id, 'Première réponse.')
    await mutate(id, 'comment', {
      commentId: crypto.randomUUID(),
      kind: 'internal',
      body: 'Note interne, jamais publiée.',
    })
    expect(await read()).toMatchObject({ status: 'open', status_notes: 'Première réponse.' })
    await publicReply(id, 'Votre acte est disponible à l’accueil.')
    await mutate(id, 'transition', { transitionId: 'reject', fields: { reason: 'Déjà délivré.' } })
    expect(await read()).toMatchObject({
      status: 'closed',
      status_notes: 'Votre acte est disponible à l’accueil.',
    })
    const list = await fetch(`${server.url}/open311/v2/requests.json?service_request_id=${id}`)
    expect(((await list.json()) as Array<{ status_notes: string }>)[0]!.status_notes).toBe(
      'Votre acte est disponible à l’accueil.',
    )
  })

  it('lets an administrator change a category’s reply template, which the next e-mail follows', async () => {
    const admin = await accessTokenOf(server.url, 'alex.admin')
    const call = (method: string, path: string, token: string, body?: unknown) =>
      fetch(`${server.url}/api/v1/admin/notice-templates${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
        body: body ? JSON.stringify(body) : undefined,
      })
    const listed = (await (await call('GET', '', admin)).json()) as {
      templates: Array<{ categoryId: string; event: string; version: number }>
      placeholders: Record<string, string>
    }
    expect(listed.templates).toContainEqual(
      expect.objectContaining({ categoryId: '*', event: 'public_reply', version: 0 }),
    )
    expect(Object.keys(listed.placeholders)).toEqual(
      expect.arrayContaining(['reference', 'service', 'message']),
    )
    expect((await call('GET', '', sara)).status).toBe(403)

    const template = {
      subject: 'État civil — {reference}',
      body: 'Madame, Monsieur,\n\n{message}\n\nLe service {service} de la Ville de Nancy',
      sms: '{reference} : {message}',
    }
    const signed = await call('PUT', '/etat-civil/public_reply', admin, {
      ...template,
      body: '{message} {agent}',
      baseVersion: 0,
    })
    expect(signed.status).toBe(400)
    expect(((await signed.json()) as { error: { message: string } }).error.message).toMatch(
      /\{agent\} n’est pas permis/,
    )
    const saved = await call('PUT', '/etat-civil/public_reply', admin, { ...template, baseVersion: 0 })
    expect(saved.status).toBe(200)
    expect(((await saved.json()) as { template: { version: number } }).template.version).toBe(1)
    expect(
      (await call('PUT', '/etat-civil/public_reply', admin, { ...template, baseVersion: 0 })).status,
    ).toBe(409)
    expect(
      (await call('PUT', '/nulle-part/public_reply', admin, { ...template, baseVersion: 0 })).status,
    ).toBe(400)

    const { id, reference } = await portalRequest({ email: 'modele@example.org' })
    const before = smtp.received.length
    await publicReply(id, 'Votre livret de famille est prêt.')
    const [mail] = (await smtp.waitFor(before + 1)).slice(before)
    expect(mail!.mail.subject).toBe(`État civil — ${reference}`)
    expect(mail!.mail.text?.trim()).toBe(
      'Madame, Monsieur,\n\nVotre livret de famille est prêt.\n\nLe service État civil de la Ville de Nancy',
    )

    expect((await call('DELETE', '/etat-civil/public_reply', admin)).status).toBe(200)
    expect((await call('DELETE', '/etat-civil/public_reply', admin)).status).toBe(404)
  })

  // Last: it stops the server's own job and runs two others on the same database instead.
  it('sends each notice once when two instances run the job on one database, and logs no address or text', async () => {
    await server.app.notifications!.stop()
    const lines: string[] = []
    const settings = AppConfigSchema.parse({
      notifications: {
        smtp: {
          url: smtp.url,
          from: 'grc@nancy.example',
          caFile: pki.caFile,
          auth: { user: smtp.user, password: { env: PASSWORD_ENV } },
        },
      },
    }).notifications
    const instances = ['a', 'b'].map((name) =>
      startNotificationJob({ store: server.store, settings, log: (line) => lines.push(`${name} ${line}`) }),
    )
    try {
      const requests = await Promise.all(
        [1, 2, 3, 4, 5, 6].map((i) => portalRequest({ email: `double.${i}@example.org` })),
      )
      const before = smtp.received.length
      await Promise.all(requests.map((r) => publicReply(r.id, 'Réponse unique, texte confidentiel.')))
      await Promise.all(instances.map((job) => job.tick()))
      await smtp.waitFor(before + requests.length)
      await Promise.all(instances.map((job) => job.tick()))
      const to = smtp.received
        .slice(before)
        .flatMap((m) => m.envelopeTo)
        .sort()
      expect(to).toEqual(requests.map((_r, i) => `double.${i + 1}@example.org`).sort())
      for (const r of requests)
        expect((await waitForNotices(r.id, 1)).map((e) => e.kind)).toEqual(['notice_sent'])
    } finally {
      await Promise.all(instances.map((job) => job.stop()))
    }
    expect(lines.filter((l) => l.endsWith(': sent'))).toHaveLength(6)
    expect(lines.join('\n')).not.toMatch(/@|confidentiel|Gaëlle|Lefrançois|GRC-/)
  })

  it('sends nothing of what happened before notifications were switched on', async () => {
    const shared = server
    const [savedSara, savedClient] = [sara, clientId]
    const base = {
      database: await testDatabase(join(dir, 'earlier')),
      resourcesDir: join(repoRoot, 'resources'),
      demoRequests: 0,
      portalKey: PORTAL_KEY,
    }
    try {
      // A server without notifications: a public reply is only stored.
      server = await startServer({ ...base, config: AppConfigSchema.parse({}) })
      clientId = crypto.randomUUID()
      sara = await accessTokenOf(server.url, 'sara.sup', clientId)
      const { id, reference } = await portalRequest({ email: 'avant@example.org' })
      await publicReply(id, 'Réponse écrite avant la mise en service des avis.')
      await server.close()

      // The same database, now with notifications: only what happens from now on is sent.
      server = await startServer({ ...base, config })
      clientId = crypto.randomUUID()
      sara = await accessTokenOf(server.url, 'sara.sup', clientId)
      const before = smtp.received.length
      await publicReply(id, 'Réponse écrite après.')
      const [mail] = (await smtp.waitFor(before + 1)).slice(before)
      expect(mail!.mail.subject).toContain(reference)
      expect(mail!.mail.text).toContain('Réponse écrite après.')
      await server.app.notifications!.tick()
      expect(smtp.received.slice(before)).toHaveLength(1)
      expect((await waitForNotices(id, 1)).map((e) => e.kind)).toEqual(['notice_sent'])
    } finally {
      if (server !== shared) await server.close()
      server = shared
      ;[sara, clientId] = [savedSara, savedClient]
    }
  })
})
