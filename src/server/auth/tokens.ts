/**
 * Access and refresh tokens. Access tokens are short-lived and signed (HMAC-SHA256) with
 * the key ring's current key (shared by every instance through the database); the key's id
 * travels in the token. Refresh tokens are random, stored hashed, and replaced at each use.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import type { KeyRing } from './keyRing'

export interface AccessClaims {
  agentId: string
  clientId: string
}

export interface TokenIssuerOptions {
  accessTtlSeconds: number
  refreshTtlSeconds: number
  now?: () => number
}

const b64 = (b: Buffer | string) => Buffer.from(b).toString('base64url')

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex')
}

const sign = (secret: Buffer, text: string) => createHmac('sha256', secret).update(text).digest()

export function createTokenIssuer(options: TokenIssuerOptions & { keys: KeyRing }) {
  const now = options.now ?? Date.now

  return {
    accessTtlSeconds: options.accessTtlSeconds,
    refreshTtlMs: options.refreshTtlSeconds * 1000,

    async issueAccess(claims: AccessClaims): Promise<{ token: string; expiresIn: number }> {
      const key = await options.keys.signing()
      const exp = now() + options.accessTtlSeconds * 1000
      const body = b64(JSON.stringify({ a: claims.agentId, c: claims.clientId, exp }))
      const signed = `v2.${key.id}.${body}`
      return { token: `${signed}.${b64(sign(key.secret, signed))}`, expiresIn: options.accessTtlSeconds }
    },

    /** The claims of a valid, unexpired token; null otherwise (never says why: no oracle). */
    async verifyAccess(token: string): Promise<AccessClaims | null> {
      const parts = token.split('.')
      const [version, keyId, body, signature] = parts
      if (parts.length !== 4 || version !== 'v2' || !keyId || !body || !signature || keyId.length > 64)
        return null
      const key = await options.keys.find(keyId)
      if (!key) return null
      const given = Buffer.from(signature, 'base64url')
      const expected = sign(key.secret, `v2.${keyId}.${body}`)
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null
      try {
        const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as {
          a?: unknown
          c?: unknown
          exp?: unknown
        }
        if (typeof claims.a !== 'string' || typeof claims.c !== 'string' || typeof claims.exp !== 'number')
          return null
        if (claims.exp <= now()) return null
        return { agentId: claims.a, clientId: claims.c }
      } catch {
        return null
      }
    },

    newRefreshToken(): { token: string; hash: string; expiresAt: number } {
      const token = b64(randomBytes(32))
      return { token, hash: hashToken(token), expiresAt: now() + options.refreshTtlSeconds * 1000 }
    },
  }
}

export type TokenIssuer = ReturnType<typeof createTokenIssuer>
