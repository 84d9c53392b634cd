/**
 * Embedded accounts for the demo and small sites: a JSON list with scrypt verifiers.
 */
import { readFileSync } from 'node:fs'
import { z } from 'zod'
import { Id, Role } from '../../shared/domain'
import { CoreError } from '../../shared/result'
import type { AuthIdentity, AuthProvider } from './provider'
import { verifyPassword } from './password'

export const LocalAccount = z
  .object({
    login: z.string().min(1).max(256),
    displayName: z.string().min(1),
    roles: z.array(Role).min(1),
    teamIds: z.array(Id),
    passwordHash: z.string().startsWith('scrypt$'),
    disabled: z.boolean().default(false),
  })
  .strict()
export type LocalAccount = z.infer<typeof LocalAccount>

export function readLocalAccounts(file: string): LocalAccount[] {
  let raw: unknown
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'))
  } catch (e) {
    throw new Error(`${file}: local accounts cannot be read (${(e as Error).message})`, { cause: e })
  }
  const parsed = z.array(LocalAccount).safeParse(raw)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new Error(`${file}: ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`)
  }
  return parsed.data
}

const BAD_CREDENTIALS = 'Identifiant ou mot de passe incorrect.'
/** Verified against when the login is unknown, so timing does not reveal which logins exist. */
const DECOY = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'

export function createLocalProvider(accounts: LocalAccount[]): AuthProvider {
  const byLogin = new Map(accounts.map((a) => [a.login.toLowerCase(), a]))
  return {
    name: 'local',
    async authenticate(login, password): Promise<AuthIdentity> {
      // An empty password is refused before anything else: never a "successful" anonymous login.
      if (password.length === 0) throw new CoreError('bad_credentials', 'Le mot de passe est vide.')
      const account = byLogin.get(login.trim().toLowerCase())
      const ok = await verifyPassword(password, account?.passwordHash ?? DECOY)
      if (!account || !ok) throw new CoreError('bad_credentials', BAD_CREDENTIALS)
      if (account.disabled) throw new CoreError('forbidden', 'Ce compte est désactivé.')
      return {
        login: account.login,
        displayName: account.displayName,
        roles: account.roles,
        teamIds: account.teamIds,
        kind: 'online',
      }
    },
  }
}
