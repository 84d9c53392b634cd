/**
 * `grc-console --seal-directory-password FILE`: IT (or the agent) types the directory
 * service account's password on stdin; it is written to FILE encrypted by the OS keychain
 * of this user account (Electron safeStorage), for `auth.ldap.bindPassword.encryptedFile`.
 * Never written, echoed or logged in clear; refused where the keychain is not a real one.
 */
import { writeFileSync } from 'node:fs'
import type { Readable } from 'node:stream'
import { app, safeStorage } from 'electron'
import { hasRealKeychain } from '../../core/secretCipher'

export const SEAL_FLAG = '--seal-directory-password'

async function readAll(input: Readable): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of input) chunks.push(Buffer.from(chunk as Buffer))
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '')
}

/** @returns the exit code (0 written, 2 refused). */
export async function sealSecret(
  file: string,
  input: Readable,
  say: (line: string) => void,
): Promise<number> {
  await app.whenReady()
  if (!hasRealKeychain(safeStorage)) {
    say('Aucun trousseau du système n’est disponible : le mot de passe ne peut pas être chiffré ici.')
    return 2
  }
  // A terminal would show the password as it is typed: it must come through a pipe.
  if ((input as { isTTY?: boolean }).isTTY) {
    say(
      'Le mot de passe doit arriver par un tube, jamais tapé en clair : read -s P; printf %s "$P" | … --seal-directory-password FICHIER',
    )
    return 2
  }
  const secret = await readAll(input)
  if (secret.length === 0) {
    say('Mot de passe vide : rien n’a été écrit.')
    return 2
  }
  writeFileSync(file, safeStorage.encryptString(secret).toString('base64'), { mode: 0o600 })
  say(`Mot de passe chiffré écrit dans ${file}.`)
  return 0
}
