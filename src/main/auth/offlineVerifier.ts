/**
 * What an offline login checks: a memory-hard verifier of the directory password, and a
 * MAC over the identity snapshot (login, roles, teams, expiry) stored beside it.
 *
 * scrypt at N = 2^17, r = 8 (128 MiB, about a third of a second on a 2-core workstation):
 * a stolen verifier costs an attacker that much per guess. Its 64-byte output is split: the
 * first half is compared, the second is never stored and keys the MAC together with the
 * profile's cache key. So changing the snapshot (granting oneself `supervisor`, pushing the
 * expiry) needs both the password and the cache key; an edited row fails the MAC and the
 * offline login is refused, never widened.
 */
import { createHmac, hkdfSync, randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto'

export const OFFLINE_SCRYPT = { N: 1 << 17, r: 8, p: 1 } as const
const SALT_BYTES = 16
const HALF = 32
const FORMAT = 'scrypt2'

const derive = (password: string, salt: Buffer, N: number, r: number, p: number) =>
  new Promise<Buffer>((resolve, reject) =>
    scryptCb(password, salt, HALF * 2, { N, r, p, maxmem: 256 * N * r }, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  )

/** What the snapshot MAC covers, in a fixed order. */
export interface SealedFields {
  login: string
  identity: string
  expiresAt: number
}

export interface OfflineVerifier {
  /** `scrypt2$N$r$p$salt$hash` (base64url). */
  verifier: string
  /** base64url HMAC-SHA256 of the fields. */
  mac: string
}

function macOf(fields: SealedFields, verifier: string, macSecret: Buffer, cacheKey: Buffer): string {
  const key = Buffer.from(
    hkdfSync('sha256', Buffer.concat([cacheKey, macSecret]), Buffer.alloc(0), 'grc offline identity/1', 32),
  )
  return createHmac('sha256', key)
    .update(JSON.stringify([fields.login.toLowerCase(), fields.identity, fields.expiresAt, verifier]))
    .digest('base64url')
}

export async function sealOfflineVerifier(
  password: string,
  fields: SealedFields,
  cacheKey: Buffer,
): Promise<OfflineVerifier> {
  const { N, r, p } = OFFLINE_SCRYPT
  const salt = randomBytes(SALT_BYTES)
  const out = await derive(password, salt, N, r, p)
  const verifier = [
    FORMAT,
    N,
    r,
    p,
    salt.toString('base64url'),
    out.subarray(0, HALF).toString('base64url'),
  ].join('$')
  return { verifier, mac: macOf(fields, verifier, out.subarray(HALF), cacheKey) }
}

/**
 * `password`: the password is right; `snapshot`: it is, but the stored row was changed
 * since it was sealed (or sealed with another cache key); `password-wrong`; `unusable`: a
 * verifier of an older format or cost (made before this check existed), never accepted.
 */
export type OfflineCheck = 'ok' | 'password-wrong' | 'snapshot-changed' | 'unusable'

export async function checkOfflineVerifier(
  password: string,
  stored: OfflineVerifier | { verifier: string; mac: null },
  fields: SealedFields,
  cacheKey: Buffer,
): Promise<OfflineCheck> {
  const parts = stored.verifier.split('$')
  if (parts.length !== 6 || parts[0] !== FORMAT || !stored.mac) return 'unusable'
  const [N, r, p] = parts.slice(1, 4).map(Number)
  // Below today's cost (an old row) or absurdly above it (a row crafted to exhaust memory).
  if (N !== OFFLINE_SCRYPT.N || r !== OFFLINE_SCRYPT.r || p !== OFFLINE_SCRYPT.p) return 'unusable'
  const salt = Buffer.from(parts[4] ?? '', 'base64url')
  const expected = Buffer.from(parts[5] ?? '', 'base64url')
  if (salt.length !== SALT_BYTES || expected.length !== HALF) return 'unusable'
  const out = await derive(password, salt, N, r, p)
  if (!timingSafeEqual(out.subarray(0, HALF), expected)) return 'password-wrong'
  const mac = Buffer.from(macOf(fields, stored.verifier, out.subarray(HALF), cacheKey))
  const given = Buffer.from(stored.mac)
  return mac.length === given.length && timingSafeEqual(mac, given) ? 'ok' : 'snapshot-changed'
}
