/** What one attempt at sending a notice came to, whatever the channel. */
export type SendOutcome =
  | { status: 'sent' }
  /** Worth trying again later (the relay is down, busy, or refused for now). */
  | { status: 'failed'; reason: string }
  /** Refused for good (no such mailbox, not a mobile number): the citizen is not reached this way. */
  | { status: 'bounced'; reason: string }

/**
 * A provider's words fit for the request's history: no e-mail address and no phone number
 * (servers quote the recipient), one line, short.
 */
export function redactReason(text: string): string {
  return text
    .replace(/<?[^\s<>@]+@[^\s<>@]+>?/g, '‹adresse›')
    .replace(/\+?\d[\d .-]{7,}\d/g, '‹numéro›')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 200)
}
