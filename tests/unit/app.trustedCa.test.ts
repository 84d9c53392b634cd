/**
 * The Electron side of `sync.caFile`: Chromium's refusal of an unknown authority is overruled
 * for the configured server only, when its certificate chains to the file's CA, carries its
 * name and is in its dates; every other verdict stays Chromium's.
 */
import { X509Certificate } from 'node:crypto'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  ACCEPT,
  ERR_CERT_AUTHORITY_INVALID,
  trustedCaVerifyProc,
  USE_CHROMIUM,
  type VerifyRequest,
} from '../../src/main/app/trustedCa'
import { makePki, type Pki } from '../support/tlsCerts'

let pki: Pki
let other: Pki
beforeAll(() => {
  pki = makePki({ altNames: 'DNS:grc.ville.fr,IP:10.0.0.5' })
  other = makePki({ altNames: 'DNS:grc.ville.fr' })
})

function verdict(
  request: Partial<VerifyRequest>,
  options: { cas?: Pki[]; serverHost?: string; now?: Date } = {},
): number {
  const proc = trustedCaVerifyProc({
    cas: (options.cas ?? [pki]).map((p) => new X509Certificate(p.caPem)),
    serverHost: options.serverHost ?? 'grc.ville.fr',
    now: options.now ? () => options.now! : undefined,
  })
  let result: number | undefined
  proc(
    {
      hostname: 'grc.ville.fr',
      errorCode: ERR_CERT_AUTHORITY_INVALID,
      // As Chromium presents it: the server's certificate, then what it sent of the chain.
      certificate: { data: pki.certPem, issuerCert: { data: pki.caPem } },
      ...request,
    },
    (r) => (result = r),
  )
  return result!
}

describe('trustedCaVerifyProc', () => {
  it('accepts the configured server’s certificate signed by the authority’s CA', () => {
    expect(verdict({})).toBe(ACCEPT)
    // The server may send its certificate alone: the file's CA is enough.
    expect(verdict({ certificate: { data: pki.certPem } })).toBe(ACCEPT)
    // By IP address too, when that is what the configuration names.
    expect(verdict({ hostname: '10.0.0.5' }, { serverHost: '10.0.0.5' })).toBe(ACCEPT)
    // Among several CAs in the file.
    expect(verdict({}, { cas: [other, pki] })).toBe(ACCEPT)
  })

  it('keeps Chromium’s verdict for a certificate another CA signed', () => {
    expect(verdict({ certificate: { data: other.certPem, issuerCert: { data: other.caPem } } })).toBe(
      USE_CHROMIUM,
    )
    expect(verdict({}, { cas: [other] })).toBe(USE_CHROMIUM)
  })

  it('keeps Chromium’s verdict for any host but the configured server', () => {
    expect(verdict({ hostname: 'tiles.ville.fr' })).toBe(USE_CHROMIUM)
  })

  it('keeps Chromium’s verdict when the certificate does not carry the server’s name', () => {
    expect(verdict({ hostname: 'intranet.ville.fr' }, { serverHost: 'intranet.ville.fr' })).toBe(USE_CHROMIUM)
  })

  it('keeps Chromium’s verdict out of the certificate’s dates', () => {
    const later = new Date(Date.now() + 30 * 24 * 3600 * 1000)
    expect(verdict({}, { now: later })).toBe(USE_CHROMIUM)
    const before = new Date(Date.now() - 30 * 24 * 3600 * 1000)
    expect(verdict({}, { now: before })).toBe(USE_CHROMIUM)
  })

  it('leaves alone what Chromium accepted and every other refusal (name, dates, revocation)', () => {
    expect(verdict({ errorCode: 0 })).toBe(USE_CHROMIUM)
    expect(verdict({ errorCode: -200 })).toBe(USE_CHROMIUM) // ERR_CERT_COMMON_NAME_INVALID
    expect(verdict({ errorCode: -206 })).toBe(USE_CHROMIUM) // ERR_CERT_REVOKED
  })

  it('never accepts a certificate it cannot read, nor a forged chain', () => {
    expect(verdict({ certificate: { data: 'not a certificate' } })).toBe(USE_CHROMIUM)
    // A self-signed server certificate naming the authority's CA as issuer does not verify.
    expect(verdict({ certificate: { data: other.certPem, issuerCert: { data: pki.caPem } } })).toBe(
      USE_CHROMIUM,
    )
  })
})
