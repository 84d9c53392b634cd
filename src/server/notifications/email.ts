/**
 * E-mail through the authority's SMTP relay (nodemailer), as the configuration says:
 * `smtps://` (implicit TLS) or `smtp://` with STARTTLS required unless the relay is on this
 * machine; optional authentication (the password from the environment or a file) and the
 * authority's own CA. A refusal of the recipient (5xx on RCPT) is a bounce; anything else
 * that fails is tried again.
 */
import { readFileSync } from 'node:fs'
import nodemailer from 'nodemailer'
import type { AppConfig } from '../../core/config'
import { redactReason, type SendOutcome } from './outcome'
import { readSecret } from './secrets'

export type SmtpSettings = NonNullable<AppConfig['notifications']['smtp']>

export interface EmailMessage {
  to: string
  subject: string
  text: string
  /** Ties the message to its notice (a bounce that comes back by mail names it). */
  noticeId: string
}

export interface EmailSender {
  send(message: EmailMessage): Promise<SendOutcome>
  close(): void
}

/** The transport of `smtp`; throws at start (with the setting at fault) when a secret or the CA file cannot be read. */
export function createEmailSender(smtp: SmtpSettings): EmailSender {
  const url = new URL(smtp.url)
  const secure = url.protocol === 'smtps:'
  const ca = smtp.caFile ? readCa(smtp.caFile) : undefined
  const transport = nodemailer.createTransport({
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port ? Number(url.port) : secure ? 465 : 587,
    secure,
    requireTLS: !secure && smtp.startTls === 'required',
    ignoreTLS: !secure && smtp.startTls === 'none',
    auth: smtp.auth
      ? { user: smtp.auth.user, pass: readSecret(smtp.auth.password, 'notifications.smtp.auth.password') }
      : undefined,
    tls: { ...(ca ? { ca } : {}), minVersion: 'TLSv1.2' },
    connectionTimeout: smtp.timeoutSeconds * 1000,
    greetingTimeout: smtp.timeoutSeconds * 1000,
    socketTimeout: smtp.timeoutSeconds * 1000,
    // Never log: messages carry the citizen's address and the reply.
    logger: false,
    debug: false,
  })
  return {
    async send(message) {
      try {
        await transport.sendMail({
          from: smtp.from,
          to: message.to,
          subject: message.subject,
          text: message.text,
          textEncoding: 'quoted-printable',
          headers: { 'X-GRC-Notice': message.noticeId, 'Auto-Submitted': 'auto-generated' },
        })
        return { status: 'sent' }
      } catch (e) {
        return classify(e)
      }
    },
    close: () => transport.close(),
  }
}

function readCa(file: string): string {
  try {
    return readFileSync(file, 'utf8')
  } catch (e) {
    throw new Error(
      `notifications.smtp.caFile: ${file} cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`,
      { cause: e },
    )
  }
}

/** A nodemailer error as an outcome: the recipient refused for good is a bounce. */
function classify(e: unknown): SendOutcome {
  const err = e as { code?: string; responseCode?: number; response?: string; message?: string }
  const server = err.response ? ` : ${redactReason(err.response)}` : ''
  if (err.code === 'EENVELOPE' && err.responseCode !== undefined && err.responseCode >= 500)
    return {
      status: 'bounced',
      reason: `Adresse refusée par le serveur de messagerie (${err.responseCode})${server}`,
    }
  if (err.responseCode !== undefined)
    return { status: 'failed', reason: `Refus du serveur de messagerie (${err.responseCode})${server}` }
  switch (err.code) {
    case 'EAUTH':
      return { status: 'failed', reason: 'Le serveur de messagerie a refusé l’identifiant du serveur GRC' }
    case 'ETLS':
      return {
        status: 'failed',
        reason: 'Le serveur de messagerie ne propose pas de connexion chiffrée (STARTTLS)',
      }
    case 'ETIMEDOUT':
      return { status: 'failed', reason: 'Le serveur de messagerie ne répond pas (délai dépassé)' }
    case 'ECONNECTION':
    case 'ESOCKET':
    case 'EDNS':
      return { status: 'failed', reason: `Serveur de messagerie injoignable (${err.code})` }
    default:
      return { status: 'failed', reason: `Envoi impossible : ${redactReason(err.message ?? String(e))}` }
  }
}
