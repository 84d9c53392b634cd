/**
 * `sync.caFile` under Electron. Requests go through Chromium (net.fetch), which trusts the
 * workstation's certificate store; an authority whose own CA is not deployed there names it
 * in `sync.caFile`. Chromium is then overruled for one case only: it refused the server's
 * certificate because it does not know the authority (ERR_CERT_AUTHORITY_INVALID), and the
 * certificate is for the configured server, in its dates, and chains to a CA of the file.
 * Every other verdict stays Chromium's (revocation, weak keys, other hosts: tiles and the rest).
 */
import { X509Certificate } from 'node:crypto'
import { isIP } from 'node:net'

/** Chromium's answers to a verify proc: accept, or keep its own verdict. */
export const ACCEPT = 0
export const USE_CHROMIUM = -3
/** net::ERR_CERT_AUTHORITY_INVALID: the only refusal the authority's CA may overrule. */
export const ERR_CERT_AUTHORITY_INVALID = -202

/** The part of Electron's certificate verify request read here (PEM data and its issuer chain). */
export interface PresentedCertificate {
  data: string
  issuerCert?: PresentedCertificate | null
}
export interface VerifyRequest {
  hostname: string
  certificate: PresentedCertificate
  errorCode: number
}

export interface TrustedCaOptions {
  /** The CAs of `sync.caFile`. */
  cas: readonly X509Certificate[]
  /** The configured server's host name (`new URL(serverUrl).hostname`). */
  serverHost: string
  now?: () => Date
}

/** Intermediate CAs a server may send between its certificate and the authority's CA. */
const MAX_CHAIN = 8

const bare = (host: string) => host.replace(/^\[|\]$/g, '').toLowerCase()

function inDates(cert: X509Certificate, now: Date): boolean {
  return new Date(cert.validFrom) <= now && now <= new Date(cert.validTo)
}

/** `child` was signed by `parent`, a CA. */
const issuedBy = (child: X509Certificate, parent: X509Certificate) =>
  parent.ca && child.checkIssued(parent) && child.verify(parent.publicKey)

/** Whether the presented chain is for `host` and leads to one of `cas`. */
export function chainsToTrustedCa(
  presented: PresentedCertificate,
  host: string,
  cas: readonly X509Certificate[],
  now: Date,
): boolean {
  try {
    const leaf = new X509Certificate(presented.data)
    const name = bare(host)
    const named = isIP(name) ? leaf.checkIP(name) !== undefined : leaf.checkHost(name) !== undefined
    if (!named) return false
    let current = leaf
    let link: PresentedCertificate = presented
    for (let depth = 0; depth < MAX_CHAIN; depth++) {
      if (!inDates(current, now)) return false
      if (cas.some((ca) => inDates(ca, now) && issuedBy(current, ca))) return true
      const next = link.issuerCert
      // The end of what the server sent (a self-signed root repeats itself).
      if (!next || next.data === link.data) return false
      const parent = new X509Certificate(next.data)
      if (!issuedBy(current, parent)) return false
      current = parent
      link = next
    }
    return false
  } catch {
    // A certificate node:crypto cannot read is not one to overrule Chromium for.
    return false
  }
}

/** The proc for `session.setCertificateVerifyProc`. */
export function trustedCaVerifyProc(options: TrustedCaOptions) {
  const serverHost = bare(options.serverHost)
  const now = options.now ?? (() => new Date())
  return (request: VerifyRequest, callback: (result: number) => void): void => {
    const overrule =
      request.errorCode === ERR_CERT_AUTHORITY_INVALID &&
      bare(request.hostname) === serverHost &&
      chainsToTrustedCa(request.certificate, request.hostname, options.cas, now())
    callback(overrule ? ACCEPT : USE_CHROMIUM)
  }
}
