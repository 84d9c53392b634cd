/**
 * The agent's preferences written to the user's configuration file (the layer above the
 * machine's, config/load.ts). Only the preference keys, only where IT locked nothing; the
 * rest of the file is kept as it is. A file that is not JSON is never overwritten: the
 * agent or IT fixes it first.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { isLocked } from '../../core/config/policy'
import { PREFERENCE_KEYS, type Preferences } from '../../shared/contract'
import { CoreError } from '../../shared/result'

export function savePreferences(
  file: string,
  changes: Partial<Preferences>,
  locked: readonly string[],
): void {
  const keys = Object.keys(changes) as (keyof Preferences)[]
  const refused = keys.map((k) => PREFERENCE_KEYS[k]).filter((key) => isLocked(key, locked))
  if (refused.length > 0)
    throw new CoreError(
      'forbidden',
      `Verrouillé par le service informatique : ${refused.join(', ')}. Ce réglage ne peut pas être changé sur ce poste.`,
    )
  let current: Record<string, unknown> = {}
  if (existsSync(file)) {
    try {
      const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'))
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
        throw new Error('not an object')
      current = parsed as Record<string, unknown>
    } catch {
      throw new CoreError(
        'invalid_input',
        `Le fichier de configuration ${file} n’est pas un objet JSON lisible : corrigez-le avant d’enregistrer vos préférences (rien n’a été modifié).`,
      )
    }
  }
  const ui =
    typeof current.ui === 'object' && current.ui !== null ? (current.ui as Record<string, unknown>) : {}
  const next = { ...current, ui: { ...ui, ...changes } }
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 })
  // Written beside, then renamed: a crash never leaves half a file that stops the next start.
  const tmp = `${file}.${process.pid}.tmp`
  writeFileSync(tmp, `${JSON.stringify(next, null, 2)}\n`, { mode: 0o600 })
  renameSync(tmp, file)
}
