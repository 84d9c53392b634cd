/**
 * A real SMTP server on a loopback port (the `smtp-server` package), standing in for the
 * authority's mail relay: STARTTLS with a throwaway CA's certificate, AUTH required after
 * it, and every message it accepted parsed with mailparser. Tests make it refuse: the next
 * N messages for now (451), or a mailbox for good (550).
 */
import { SMTPServer } from 'smtp-server'
import { simpleParser, type ParsedMail } from 'mailparser'
import type { AddressInfo } from 'node:net'
import type { Pki } from './tlsCerts'

export interface ReceivedMail {
  /** When the message was accepted (epoch ms). */
  at: number
  /** RCPT TO addresses. */
  envelopeTo: string[]
  raw: Buffer
  mail: ParsedMail
}

export interface TestSmtpServer {
  port: number
  url: string
  user: string
  password: string
  received: ReceivedMail[]
  /** Refuse the next `n` messages with a temporary error (451) after their recipient. */
  refuseNext(n: number): void
  /** Answer 550 (no such mailbox) to this recipient. */
  unknownMailbox(address: string): void
  /** Every RCPT TO tried, refused or not. */
  attempts: Array<{ at: number; to: string; refused: boolean }>
  /** Resolves once `count` messages have been accepted (or rejects after `timeoutMs`). */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedMail[]>
  close(): Promise<void>
}

export async function startTestSmtpServer(pki: Pki): Promise<TestSmtpServer> {
  const user = 'grc-serveur'
  const password = 'mot-de-passe-relais'
  const received: ReceivedMail[] = []
  const attempts: TestSmtpServer['attempts'] = []
  const unknown = new Set<string>()
  let refuse = 0
  let waiters: Array<() => void> = []
  const server = new SMTPServer({
    secure: false,
    key: pki.keyPem,
    cert: pki.certPem,
    // AUTH only after STARTTLS: a client that skipped it cannot send anything.
    allowInsecureAuth: false,
    authMethods: ['PLAIN', 'LOGIN'],
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === user && auth.password === password) return callback(null, { user })
      return callback(new Error('Invalid username or password'))
    },
    onRcptTo(address, _session, callback) {
      const to = address.address.toLowerCase()
      if (unknown.has(to)) {
        attempts.push({ at: Date.now(), to, refused: true })
        return callback(
          Object.assign(new Error(`5.1.1 <${to}>: Recipient address rejected: User unknown`), {
            responseCode: 550,
          }),
        )
      }
      if (refuse > 0) {
        refuse--
        attempts.push({ at: Date.now(), to, refused: true })
        return callback(
          Object.assign(new Error('4.3.2 Service temporarily unavailable, try again later'), {
            responseCode: 451,
          }),
        )
      }
      attempts.push({ at: Date.now(), to, refused: false })
      callback()
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = []
      stream.on('data', (c: Buffer) => chunks.push(c))
      stream.on('end', () => {
        const raw = Buffer.concat(chunks)
        simpleParser(raw)
          .then((mail) => {
            received.push({
              at: Date.now(),
              envelopeTo: session.envelope.rcptTo.map((r) => r.address),
              raw,
              mail,
            })
            const w = waiters
            waiters = []
            w.forEach((f) => f())
            callback()
          })
          .catch((e: Error) => callback(e))
      })
    },
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const port = (server.server.address() as AddressInfo).port
  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    user,
    password,
    received,
    attempts,
    refuseNext: (n) => void (refuse = n),
    unknownMailbox: (address) => void unknown.add(address.toLowerCase()),
    waitFor(count, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`the SMTP server received ${received.length} messages, not ${count}`)),
          timeoutMs,
        )
        const check = () => {
          if (received.length >= count) {
            clearTimeout(timer)
            resolve(received.slice())
          } else waiters.push(check)
        }
        check()
      })
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
