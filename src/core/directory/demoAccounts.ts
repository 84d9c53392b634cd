/**
 * The bundled demo accounts (resources/demo/accounts.json, password `demo` for all) are
 * public: a server or a packaged console that accepts them lets anyone in. They are what
 * the `local` provider falls back to when no accounts file is configured, so "no
 * configuration" must never quietly mean "the demo accounts": the server and the console
 * ask this one question and refuse to run outside the demo (issue 13).
 */
import type { AppConfig } from '../config'

/** Whether agents would log in with the bundled demo accounts (createAuthProvider's fallback). */
export function usesDemoAccounts(config: AppConfig): boolean {
  return config.auth.provider === 'local' && config.auth.local.accountsFile === undefined
}

/** What to configure instead of the demo accounts, in French (shown to IT, not to agents). */
export const DEMO_ACCOUNTS_FIX =
  'configurez un annuaire (auth.provider : "ldap" et une section auth.ldap) ou un fichier de comptes ' +
  '(auth.local.accountsFile) ; voir docs/server.md et docs/configuration.md'

/**
 * Why a server or a console refuses to start with the demo accounts outside the demo, in
 * French. `demoHint` says how to run the demo on purpose where it applies
 * (the server: `--demo`; the console: its demo profile).
 */
export function demoAccountsRefusal(demoHint?: string): string {
  return (
    'Aucun annuaire ni fichier de comptes n’est configuré : seuls les comptes de démonstration ' +
    `(mot de passe « demo », connu de tous) seraient acceptés. Pour un usage réel, ${DEMO_ACCOUNTS_FIX}.` +
    (demoHint ? ` ${demoHint}` : '')
  )
}
