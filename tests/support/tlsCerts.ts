/**
 * A throwaway PKI made with openssl, like an authority's own: a CA, and a server certificate
 * it signed for the loopback names. `makePki` twice gives two unrelated CAs.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface Pki {
  dir: string
  caFile: string
  caPem: string
  certFile: string
  certPem: string
  keyFile: string
  keyPem: string
}

const openssl = (args: string[], cwd: string) => execFileSync('openssl', args, { cwd, stdio: 'pipe' })

export function makePki(options: { altNames?: string; days?: number } = {}): Pki {
  const dir = mkdtempSync(join(tmpdir(), 'grc-pki-'))
  const altNames = options.altNames ?? 'DNS:localhost,IP:127.0.0.1'
  openssl(
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'ca.key',
      '-out',
      'ca.pem',
      '-days',
      '3',
      '-subj',
      '/CN=Autorite de test GRC',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ],
    dir,
  )
  openssl(
    [
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'server.key',
      '-out',
      'server.csr',
      '-subj',
      '/CN=grc-test-server',
    ],
    dir,
  )
  writeFileSync(
    join(dir, 'server.ext'),
    `basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=${altNames}\n`,
  )
  openssl(
    [
      'x509',
      '-req',
      '-in',
      'server.csr',
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      'server.pem',
      '-days',
      String(options.days ?? 2),
      '-extfile',
      'server.ext',
    ],
    dir,
  )
  const read = (name: string) => readFileSync(join(dir, name), 'utf8')
  return {
    dir,
    caFile: join(dir, 'ca.pem'),
    caPem: read('ca.pem'),
    certFile: join(dir, 'server.pem'),
    certPem: read('server.pem'),
    keyFile: join(dir, 'server.key'),
    keyPem: read('server.key'),
  }
}
