/**
 * The rules of notices that need no server: the shipped templates use only known
 * placeholders and never the agent's name; a template falls back from a category and a
 * transition to the general one; the citizen's preference picks the channel; French
 * numbers become E.164 and only mobiles get SMS; a provider's words lose addresses and
 * numbers before they reach the history; the configuration refuses mail in clear beyond
 * loopback.
 */
import { describe, expect, it } from 'vitest'
import { AppConfigSchema } from '../../src/core/config'
import { reachOf } from '../../src/server/notifications/channel'
import { createEmailSender } from '../../src/server/notifications/email'
import { redactReason } from '../../src/server/notifications/outcome'
import { backoffMs } from '../../src/server/notifications/queue'
import { createSmsSender, mobileNumber } from '../../src/server/notifications/sms'
import {
  defaultTemplates,
  key,
  pickTemplate,
  renderTemplate,
  templateProblem,
} from '../../src/server/notifications/templates'

describe('reply templates', () => {
  it('ship in French for a public reply and each status change that notifies, without the agent', () => {
    const templates = defaultTemplates()
    const events = templates.map((t) => `${t.categoryId}/${t.event}`)
    expect(events).toEqual(
      expect.arrayContaining(['*/public_reply', '*/transition', '*/transition:reject', '*/transition:close']),
    )
    for (const t of templates) {
      expect(templateProblem(t, false)).toBeNull()
      expect(`${t.subject}${t.body}${t.sms}`).not.toContain('{agent}')
      expect(`${t.subject}${t.body}`).toContain('{reference}')
    }
  })

  it('refuse an unknown placeholder, and {agent} unless the configuration allows it', () => {
    const text = { subject: 'Demande {reference}', body: 'Bonjour {prenom}', sms: 'x' }
    expect(templateProblem(text, false)).toMatch(/variable inconnue \{prenom\}/)
    const signed = { subject: 'Demande {reference}', body: 'Signé : {agent}', sms: 'x' }
    expect(templateProblem(signed, false)).toMatch(/\{agent\} n’est pas permis/)
    expect(templateProblem(signed, true)).toBeNull()
    expect(templateProblem({ ...signed, subject: 'a\nb' }, true)).toMatch(/une seule ligne/)
  })

  it('pick the category’s own template first, then any category’s, then the general status change', () => {
    const t = (subject: string) => ({ subject, body: 'b', sms: 's' })
    const templates = new Map([
      [key('*', 'transition'), t('général')],
      [key('*', 'transition:reject'), t('rejet')],
      [key('voirie', 'transition:reject'), t('rejet voirie')],
    ])
    expect(pickTemplate(templates, 'voirie', 'transition:reject')?.subject).toBe('rejet voirie')
    expect(pickTemplate(templates, 'creche', 'transition:reject')?.subject).toBe('rejet')
    expect(pickTemplate(templates, 'creche', 'transition:answer')?.subject).toBe('général')
    expect(pickTemplate(templates, 'creche', 'public_reply')).toBeUndefined()
  })

  it('replace placeholders with their values, a missing one with nothing', () => {
    expect(
      renderTemplate('{reference} — {service}{adresse_precedee}', {
        reference: 'GRC-2026-000001',
        service: 'Voirie',
      }),
    ).toBe('GRC-2026-000001 — Voirie')
    expect(renderTemplate('{inconnu}', {})).toBe('{inconnu}')
  })
})

describe('how a citizen is reached', () => {
  const citizen = (contactPreference: string, email: string | null, phone: string | null) =>
    ({ contactPreference, email, phone }) as Parameters<typeof reachOf>[0]

  it('by e-mail when they gave one, unless they chose otherwise', () => {
    expect(reachOf(citizen('email', 'a@b.fr', '06 12 34 56 78'))).toEqual({ channel: 'email', to: 'a@b.fr' })
    expect(reachOf(citizen('phone', 'a@b.fr', '06 12 34 56 78'))).toEqual({
      channel: 'sms',
      to: '+33612345678',
    })
    expect(reachOf(citizen('none', 'a@b.fr', null))).toEqual({ channel: 'none', reason: null })
    expect(reachOf(citizen('post', 'a@b.fr', null))).toMatchObject({
      channel: 'none',
      reason: expect.stringMatching(/courrier/),
    })
    expect(reachOf(citizen('phone', null, '03 83 85 30 00'))).toMatchObject({
      channel: 'none',
      reason: expect.stringMatching(/rappeler/),
    })
    expect(reachOf(citizen('email', null, null))).toMatchObject({
      channel: 'none',
      reason: expect.any(String),
    })
    expect(reachOf(undefined)).toEqual({ channel: 'none', reason: null })
  })

  it('by SMS only on a mobile number, written in E.164', () => {
    expect(mobileNumber('06 12 34 56 78')).toBe('+33612345678')
    expect(mobileNumber('+33 7 12 34 56 78')).toBe('+33712345678')
    expect(mobileNumber('0033 6.12.34.56.78')).toBe('+33612345678')
    expect(mobileNumber('03 83 85 30 00')).toBeNull()
    expect(mobileNumber('12')).toBeNull()
  })
})

describe('sending', () => {
  it('waits longer after each failure, up to the cap', () => {
    const policy = { maxAttempts: 6, initialDelayMs: 60_000, maxDelayMs: 300_000 }
    expect([1, 2, 3, 4, 5].map((n) => backoffMs(policy, n))).toEqual([
      60_000, 120_000, 240_000, 300_000, 300_000,
    ])
  })

  it('keeps no address or number from a provider’s answer', () => {
    const said = redactReason('5.1.1 <jeanne.dupont@example.org>: Recipient rejected, call +33 6 12 34 56 78')
    expect(said).not.toMatch(/jeanne|example|12 34/)
    expect(said).toContain('Recipient rejected')
  })

  it('refuses mail in clear beyond loopback, and a URL that carries a password', () => {
    const smtp = (s: Record<string, unknown>) =>
      AppConfigSchema.safeParse({ notifications: { smtp: { from: 'grc@ville.fr', ...s } } })
    expect(smtp({ url: 'smtp://mail.ville.fr:587' }).success).toBe(true)
    expect(smtp({ url: 'smtp://mail.ville.fr:25', startTls: 'none' }).success).toBe(false)
    expect(smtp({ url: 'smtp://127.0.0.1:25', startTls: 'none' }).success).toBe(true)
    expect(smtp({ url: 'smtps://u:p@mail.ville.fr' }).success).toBe(false)
    expect(smtp({ url: 'http://mail.ville.fr' }).success).toBe(false)
    const sms = AppConfigSchema.safeParse({
      notifications: {
        sms: { url: 'http://sms.example.com/send', token: { env: 'SMS_TOKEN' }, sender: 'VILLE' },
      },
    })
    expect(sms.success).toBe(false)
  })

  it('names the setting whose secret or CA file is missing, at start', () => {
    const smtp = AppConfigSchema.parse({
      notifications: {
        smtp: {
          url: 'smtp://mail.ville.fr:587',
          from: 'grc@ville.fr',
          auth: { user: 'grc', password: { env: 'GRC_NO_SUCH_VARIABLE' } },
        },
      },
    }).notifications.smtp!
    delete process.env.GRC_NO_SUCH_VARIABLE
    expect(() => createEmailSender(smtp)).toThrow(
      'notifications.smtp.auth.password: the environment variable GRC_NO_SUCH_VARIABLE is empty or not set',
    )
    expect(() => createEmailSender({ ...smtp, auth: undefined, caFile: '/nonexistent/ca.pem' })).toThrow(
      'notifications.smtp.caFile: /nonexistent/ca.pem cannot be read (ENOENT)',
    )
    expect(() =>
      createSmsSender({
        provider: 'http-json',
        url: 'https://sms.example.com',
        token: { file: '/nonexistent/token' },
        sender: 'VILLE',
        timeoutSeconds: 5,
      }),
    ).toThrow('notifications.sms.token: /nonexistent/token cannot be read (ENOENT)')
  })
})
