/**
 * The notifications' table on a real SQLite cache: an event notifies once per agent, agents
 * are kept apart, and the table stays small (a month, 500 per agent).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openStore, type Db } from '../../src/main/cache/db'
import {
  insertNotification,
  MAX_KEPT,
  NOTIFICATION_RETENTION_MS,
  pruneNotifications,
  type NewNotification,
} from '../../src/main/cache/queries/notifications'

let dir: string
let db: Db
const now = Date.parse('2026-03-10T09:00:00Z')

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'grc-notif-store-'))
  db = openStore(join(dir, 'cache.db'))
})
afterEach(() => {
  db.close()
  rmSync(dir, { recursive: true, force: true })
})

const note = (login: string, key: string, createdAt = now): NewNotification => ({
  login,
  kind: 'assigned',
  dedupKey: key,
  requestId: 'req-1',
  params: { actorName: 'Luc Henrion' },
  createdAt,
})
const keysOf = (login: string) =>
  db.prepare('SELECT dedup_key FROM notifications WHERE agent_login = ? ORDER BY id').pluck().all(login)

describe('notifications in the cache', () => {
  it('an event notifies an agent once; another agent on the same workstation has their own', () => {
    expect(insertNotification(db, note('zoe.agent', 'assigned:s1'))).toBe(true)
    expect(insertNotification(db, note('ZOE.AGENT', 'assigned:s1'))).toBe(false)
    expect(insertNotification(db, note('nora.agent', 'assigned:s1'))).toBe(true)
    expect(keysOf('zoe.agent')).toEqual(['assigned:s1'])
    expect(keysOf('nora.agent')).toEqual(['assigned:s1'])
  })

  it('keeps a month and the newest 500 per agent; the others’ stay', () => {
    insertNotification(db, note('zoe.agent', 'old', now - NOTIFICATION_RETENTION_MS - 1))
    for (let i = 0; i < MAX_KEPT + 10; i++) insertNotification(db, note('zoe.agent', `k${i}`, now - 1000 + i))
    insertNotification(db, note('nora.agent', 'old', now - NOTIFICATION_RETENTION_MS - 1))
    pruneNotifications(db, 'zoe.agent', now)
    const kept = keysOf('zoe.agent')
    expect(kept).toHaveLength(MAX_KEPT)
    expect(kept[0]).toBe('k10')
    expect(kept.at(-1)).toBe(`k${MAX_KEPT + 9}`)
    expect(keysOf('nora.agent')).toEqual(['old'])
  })
})
