/**
 * SMS through a provider behind one interface; one provider is implemented, `http-json`:
 * `POST <url>` with `Authorization: Bearer <token>` and `{"from", "to", "text"}` (the number
 * in E.164, `+33612345678`); 2xx is accepted, 400/404/422 a number refused for good, anything
 * else (401/403 included: a configuration to fix) is tried again.
 */
import type { AppConfig } from '../../core/config'
import { redactReason, type SendOutcome } from './outcome'
import { readSecret } from './secrets'

export type SmsSettings = NonNullable<AppConfig['notifications']['sms']>

export interface SmsMessage {
  /** E.164. */
  to: string
  text: string
  noticeId: string
}

export interface SmsSender {
  send(message: SmsMessage): Promise<SendOutcome>
  close(): void
}

/** A French (or already international) mobile number in E.164, or null when it is not one. */
export function mobileNumber(phone: string): string | null {
  const digits = phone.replace(/[\s().-]/g, '')
  const e164 = digits.startsWith('+')
    ? digits
    : digits.startsWith('00')
      ? `+${digits.slice(2)}`
      : /^0\d{9}$/.test(digits)
        ? `+33${digits.slice(1)}`
        : null
  if (!e164 || !/^\+\d{8,15}$/.test(e164)) return null
  // French numbers: only 06 and 07 receive SMS.
  if (e164.startsWith('+33') && !/^\+33[67]\d{8}$/.test(e164)) return null
  return e164
}

export function createSmsSender(sms: SmsSettings): SmsSender {
  const token = readSecret(sms.token, 'notifications.sms.token')
  return {
    async send(message) {
      let res: Response
      try {
        res = await fetch(sms.url, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({
            from: sms.sender,
            to: message.to,
            text: message.text,
            reference: message.noticeId,
          }),
          signal: AbortSignal.timeout(sms.timeoutSeconds * 1000),
          redirect: 'error',
        })
      } catch (e) {
        const timeout = (e as Error)?.name === 'TimeoutError'
        return {
          status: 'failed',
          reason: timeout
            ? 'Le fournisseur SMS ne répond pas (délai dépassé)'
            : 'Fournisseur SMS injoignable',
        }
      }
      const said = redactReason((await res.text().catch(() => '')).slice(0, 400))
      if (res.ok) return { status: 'sent' }
      const detail = said ? ` : ${said}` : ''
      if ([400, 404, 422].includes(res.status))
        return { status: 'bounced', reason: `Numéro refusé par le fournisseur SMS (${res.status})${detail}` }
      return { status: 'failed', reason: `Refus du fournisseur SMS (${res.status})${detail}` }
    },
    close() {},
  }
}
