/**
 * A password login on the server's token endpoint, as a console or a partner script makes
 * it, for tests that talk to the API directly. Demo accounts: the password is `demo`.
 */
import { DEMO_PASSWORD } from './core'

export function passwordLogin(baseUrl: string, login: string, clientId: string = crypto.randomUUID()) {
  return fetch(`${baseUrl}/api/v1/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ grantType: 'password', login, password: DEMO_PASSWORD, clientId }),
  })
}

/** The access token of a successful login. */
export async function accessTokenOf(baseUrl: string, login: string, clientId?: string): Promise<string> {
  const res = await passwordLogin(baseUrl, login, clientId)
  return ((await res.json()) as { accessToken: string }).accessToken
}
