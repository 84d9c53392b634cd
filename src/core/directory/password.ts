/**
 * scrypt password verifiers: `scrypt$N$r$p$salt$hash` (base64url). Never a password in clear.
 */
import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto'

const scrypt = (password: string, salt: Buffer, keylen: number, opts: ScryptOptions) =>
  new Promise<Buffer>((resolve, reject) =>
    scryptCb(password, salt, keylen, opts, (err, key) => (err ? reject(err) : resolve(key))),
  )

const DEFAULTS = { N: 16384, r: 8, p: 1, keylen: 32 }

export async function hashPassword(password: string, cost = DEFAULTS.N): Promise<string> {
  const salt = randomBytes(16)
  const key = await scrypt(password, salt, DEFAULTS.keylen, { N: cost, r: DEFAULTS.r, p: DEFAULTS.p })
  return ['scrypt', cost, DEFAULTS.r, DEFAULTS.p, salt.toString('base64url'), key.toString('base64url')].join(
    '$',
  )
}

/** Constant-time check; a malformed verifier never matches. */
export async function verifyPassword(password: string, verifier: string): Promise<boolean> {
  const parts = verifier.split('$')
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false
  const [N, r, p] = parts.slice(1, 4).map(Number)
  if (!N || !r || !p || N > 1 << 20) return false
  const salt = Buffer.from(parts[4] ?? '', 'base64url')
  const expected = Buffer.from(parts[5] ?? '', 'base64url')
  if (salt.length < 8 || expected.length < 16) return false
  const key = await scrypt(password, salt, expected.length, { N, r, p, maxmem: 256 * N * r + 1024 * 1024 })
  return timingSafeEqual(key, expected)
}
