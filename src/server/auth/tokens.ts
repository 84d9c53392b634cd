/**
 * Access and refresh tokens. Access tokens are short-lived and signed (HMAC-SHA256) with a
 * key that lives in memory only: a restarted server makes consoles refresh, nothing more.
 * Refresh tokens are random, stored hashed, and replaced at each use.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto'

export interface AccessClaims {
  agentId: string
  clientId: string
}

export interface TokenIssuerOptions {
  accessTtlSeconds: number
  refreshTtlSeconds: number
  now?: () => number
  /** Tests pass one to share tokens between server instances; otherwise random per start. */
  key?: Buffer
}

const b64 = (b: Buffer | string) => Buffer.from(b).toString('base64url')

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex')
}

export function createTokenIssuer(options: TokenIssuerOptions) {
  const key = options.key ?? randomBytes(32)
  const now = options.now ?? Date.now
  const sign = (body: string) => createHmac('sha256', key).update(body).digest()

  return {
    accessTtlSeconds: options.accessTtlSeconds,
    refreshTtlMs: options.refreshTtlSeconds * 1000,

    issueAccess(claims: AccessClaims): { token: string; expiresIn: number } {
      const exp = now() + options.accessTtlSeconds * 1000
      const body = b64(JSON.stringify({ a: claims.agentId, c: claims.clientId, exp }))
      return { token: `v1.${body}.${b64(sign(body))}`, expiresIn: options.accessTtlSeconds }
    },

    /** The claims of a valid, unexpired token; null otherwise (never says why: no oracle). */
    verifyAccess(token: string): AccessClaims | null {
      const [version, body, signature] = token.split('.')
      if (version !== 'v1' || !body || !signature) return null
      const given = Buffer.from(signature, 'base64url')
      const expected = sign(body)
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
