/**
 * The access tokens' signing keys, shared by every instance through the database. The
 * newest key signs; every key still in the table verifies. An instance makes a new key
 * when the newest is older than the rotation period (two instances doing it at once just
 * make two keys, both valid), and deletes the keys that can no longer have a live token.
 * A token with a key this instance has not seen yet makes it read the table again, so a
 * key made by another instance is accepted at once.
 */
import { randomBytes, randomUUID } from 'node:crypto'
import type { SqlDatabase } from '../store/sql/client'

/** How often the table is read again; also the margin before a superseded key goes. */
const RELOAD_MS = 60_000
/** Reads for unknown key ids are shared and at least this far apart (20 a second at most). */
const MIN_READ_GAP_MS = 50

export interface SigningKey {
  id: string
  secret: Buffer
  createdAt: number
}

export interface KeyRingOptions {
  /** How long a key signs before the next one takes over (default 7 days). */
  rotationMs?: number
  /** The access tokens' lifetime: a retired key verifies that much longer. */
  accessTtlMs: number
  now?: () => number
}

export interface KeyRing {
  /** The key to sign with now (rotated when due). */
  signing(): Promise<SigningKey>
  /** The key of this id, reading the table again if it is new here. */
  find(id: string): Promise<SigningKey | undefined>
  /** Make a new signing key now (`server keys rotate`); older keys verify until their tokens expire. */
  rotate(): Promise<SigningKey>
}

export async function openKeyRing(db: SqlDatabase, options: KeyRingOptions): Promise<KeyRing> {
  const now = options.now ?? Date.now
  const rotationMs = options.rotationMs ?? 7 * 24 * 3600_000
  let keys: SigningKey[] = []
  let loadedAt = 0
  /** The read of the table that callers arriving now will wait for (at most one every 50 ms). */
  let nextRead: Promise<void> | null = null
  let lastReadStart = -Infinity
  function freshRead(): Promise<void> {
    if (nextRead) return nextRead
    const wait = Math.max(0, lastReadStart + MIN_READ_GAP_MS - Date.now())
    nextRead = new Promise<void>((resolve) => setTimeout(resolve, wait))
      .then(() => {
        lastReadStart = Date.now()
        nextRead = null
        return load()
      })
      .catch((e: unknown) => {
        nextRead = null
        throw e
      })
    return nextRead
  }

  async function load(): Promise<void> {
    const rows = await db.all<{ id: string; secret: string; created_at: number }>(
      'SELECT id, secret, created_at FROM signing_keys ORDER BY created_at DESC, id',
    )
    keys = rows.map((r) => ({ id: r.id, secret: Buffer.from(r.secret, 'base64'), createdAt: r.created_at }))
    loadedAt = now()
  }

  async function rotate(): Promise<SigningKey> {
    const key = { id: randomUUID(), secret: randomBytes(32), createdAt: now() }
    await db.run('INSERT INTO signing_keys (id, secret, created_at) VALUES (?, ?, ?)', [
      key.id,
      key.secret.toString('base64'),
      key.createdAt,
    ])
    // A key superseded by one made longer ago than a token lives can have no live token left.
    await db.run(
      `DELETE FROM signing_keys WHERE created_at <
         (SELECT max(created_at) FROM signing_keys WHERE created_at < ?)`,
      [now() - options.accessTtlMs - RELOAD_MS],
    )
    await load()
    return key
  }

  await load()

  return {
    async signing() {
      // Read again now and then: a key another instance made signs here too within a minute.
      if (now() - loadedAt > RELOAD_MS) await load()
      const newest = keys[0]
      if (newest && now() - newest.createdAt < rotationMs) return newest
      // Another instance may have rotated already: look before making one more.
      await load()
      const fresh = keys[0]
      if (fresh && now() - fresh.createdAt < rotationMs) return fresh
      return rotate()
    },
    async find(id) {
      const known = keys.find((k) => k.id === id)
      if (known) return known
      // An id not seen here: made by another instance a moment ago, or made up. Every such
      // lookup waits for a read of the table made after it arrived; reads are shared and
      // spaced, so tokens with random ids cannot turn into a flood of reads.
      await freshRead()
      return keys.find((k) => k.id === id)
    },
    rotate,
  }
}
