/**
 * The server's own HTTPS (`--tls-cert FILE --tls-key FILE`): for an authority without a
 * reverse proxy in front. Read and checked before anything opens, so that a wrong path or
 * a key that does not match says which flag is wrong instead of a stack from OpenSSL.
 */
import { readFileSync } from 'node:fs'
import { createSecureContext } from 'node:tls'
import { StartRefusedError } from './refused'

export interface TlsFiles {
  /** The certificate, PEM, intermediate certificates after it. */
  cert: Buffer
  /** Its private key, PEM, unencrypted (the server starts unattended). */
  key: Buffer
}

/** TLS 1.0 and 1.1 are broken (ANSSI, RFC 8996). */
export const TLS_MIN_VERSION = 'TLSv1.2'

function readFlag(flag: string, file: string): Buffer {
  try {
    return readFileSync(file)
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    throw new StartRefusedError(`${flag} : le fichier ${file} ne peut pas être lu${code ? ` (${code})` : ''}`)
  }
}

/** The certificate and key the flags name, checked to be PEM and to go together. */
export function readTlsFiles(certFile: string, keyFile: string): TlsFiles {
  const files = { cert: readFlag('--tls-cert', certFile), key: readFlag('--tls-key', keyFile) }
  try {
    // Parses both and checks the key is the certificate's, as the HTTPS server would at start.
    createSecureContext({ ...files, minVersion: TLS_MIN_VERSION })
  } catch (e) {
    const reason = (e as Error).message.replace(/^error:[0-9A-F]+:/i, '')
    throw new StartRefusedError(
      `--tls-cert ${certFile} / --tls-key ${keyFile} : certificat ou clé inutilisable (PEM attendu, ` +
        `la clé doit être celle du certificat, non chiffrée) : ${reason}`,
    )
  }
  return files
}
