/**
 * The server with the bundled demo accounts (password `demo`, public) is a demo, never a
 * deployment: it starts so only when asked (`--demo`, `--demo-requests`) and only on
 * loopback, where no one but this machine can try those passwords.
 */
import type { AppConfig } from '../core/config'
import { demoAccountsRefusal, DEMO_ACCOUNTS_FIX, usesDemoAccounts } from '../core/directory/demoAccounts'
import { StartRefusedError } from './refused'

/** Addresses only this machine reaches (the whole 127.0.0.0/8 is loopback). */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase()
  return h === 'localhost' || h === '::1' || h === '[::1]' || /^127(\.\d{1,3}){3}$/.test(h)
}

/** Refuses the demo accounts unless the server was started as the demo (the command line). */
export function assertDemoAccountsAsked(config: AppConfig, demo: boolean): void {
  if (demo || !usesDemoAccounts(config)) return
  throw new StartRefusedError(
    demoAccountsRefusal('Pour la démonstration, sur ce poste seulement : npm run server -- --demo.'),
  )
}

/** Refuses to serve the demo accounts beyond loopback, whoever starts the server. */
export function assertDemoAccountsOnLoopback(config: AppConfig, host: string): void {
  if (!usesDemoAccounts(config) || isLoopbackHost(host)) return
  throw new StartRefusedError(
    `Les comptes de démonstration (mot de passe « demo ») ne sont servis que sur la boucle locale ` +
      `(127.0.0.1, ::1, localhost), pas sur ${host} : le réseau pourrait s’y connecter. ` +
      `Pour servir un réseau, ${DEMO_ACCOUNTS_FIX}.`,
  )
}
