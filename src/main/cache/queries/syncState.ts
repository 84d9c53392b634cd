/** Small key/value facts of the sync (the change-feed cursor, the client id…). */
import type { Db } from '../db'
import { cached } from '../statements'

export function getSyncState(db: Db, key: string): string | undefined {
  const row = cached(db, 'SELECT value FROM sync_state WHERE key = ?').get(key) as
    { value: string } | undefined
  return row?.value
}

export function setSyncState(db: Db, key: string, value: string): void {
  cached(
    db,
    'INSERT INTO sync_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
  ).run(key, value)
}
