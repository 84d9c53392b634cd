/**
 * `sync.caFile`: the authority's own certificate authority, for a server whose certificate it
 * signed. Read once at start: a missing or damaged file stops the console there, in words an
 * IT department can act on, rather than as an "unreachable server" at every sync round.
 */
import { readFileSync } from 'node:fs'
import { X509Certificate } from 'node:crypto'

export interface TrustedCas {
  /** The file's certificates, PEM, as TLS options take them. */
  pem: string[]
  certificates: X509Certificate[]
}

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g

export function readCaFile(path: string): TrustedCas {
  const where = `le fichier de l’autorité de certification du serveur (sync.caFile : ${path})`
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    const why =
      code === 'ENOENT'
        ? 'il n’existe pas'
        : code === 'EACCES'
          ? 'il n’est pas lisible (droits)'
          : String(code ?? e)
    throw new Error(`Impossible de lire ${where} : ${why}. Vérifiez le chemin dans la configuration.`, {
      cause: e,
    })
  }
  const pem = text.match(PEM_BLOCK) ?? []
  if (pem.length === 0)
    throw new Error(
      `${capitalise(where)} ne contient aucun certificat au format PEM (« -----BEGIN CERTIFICATE----- »).`,
    )
  const certificates = pem.map((block, i) => {
    try {
      return new X509Certificate(block)
    } catch (e) {
      throw new Error(`${capitalise(where)} : le certificat n° ${i + 1} est illisible.`, { cause: e })
    }
  })
  return { pem, certificates }
}

const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1)
