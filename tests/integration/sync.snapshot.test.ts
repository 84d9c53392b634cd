/**
 * The first download made for size (issue 16): an empty cache fills from the server's
 * snapshot in chunks, through the real server over HTTP, written by the snapshot worker
 * into the real encrypted cache file; then the change feed takes over from its cursor.
 */
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { gunzipSync } from 'node:zlib'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { AppConfigSchema } from '../../src/core/config'
import { addMonths } from '../../src/core/privacy/retention'
import { profileCacheKey } from '../../src/main/cache/cacheKey'
import { openMemoryStore, openStore } from '../../src/main/cache/db'
import { schemaObjects, stagingPath } from '../../src/main/sync/snapshotLoad'
import type { Change } from '../../src/shared/sync'
import { startFaultProxy, type Fault, type FaultProxy } from '../support/faultProxy'
import { startOlderServerProxy } from '../support/olderServerProxy'
import { repoRoot } from '../support/core'
import { accessTokenOf } from '../support/passwordLogin'
import {
  openSyncWorld,
  requestRows,
  serverRequestRows,
  type SyncClient,
  type SyncWorld,
} from '../support/syncWorld'

type Db = SyncClient['db']

/** The names of every trigger and index a cache has when nothing is under way. */
function wholeSchema(): string[] {
  const fresh = openMemoryStore()
  try {
    return schemaObjects(fresh)
      .map((o) => o.name)
      .sort()
  } finally {
    fresh.close()
  }
}

/** What a console holds of the server's data, table by table, in a stable order. */
function cacheContent(db: Db) {
  const all = (sql: string) => db.prepare(sql).all()
  return {
    requests: all('SELECT * FROM requests ORDER BY id'),
    citizens: all('SELECT * FROM citizens ORDER BY id'),
    comments: all('SELECT * FROM comments ORDER BY id'),
    history: all(
      `SELECT request_id, kind, at, actor_id, actor_name, data, server_id, mutation_id
       FROM history_events ORDER BY request_id, server_id`,
    ),
    attachments: all('SELECT * FROM attachments ORDER BY id'),
    tours: all('SELECT * FROM tours ORDER BY id'),
    teams: all('SELECT * FROM teams ORDER BY id'),
    categories: all('SELECT * FROM categories ORDER BY id'),
    agents: all('SELECT * FROM agents ORDER BY id'),
    workflows: all('SELECT * FROM workflows ORDER BY id'),
    counts: all('SELECT * FROM request_counts ORDER BY team_id, status, category_id, priority, assignee_key'),
  }
}

/** What the cache finds for a word, through its full-text index (built by the bulk load). */
const searchHits = (db: Db, word: string) =>
  (
    db
      .prepare(
        `SELECT r.id FROM requests_fts f JOIN requests r ON r.rowid = f.rowid
         WHERE requests_fts MATCH ? ORDER BY r.id`,
      )
      .pluck()
      .all(word) as string[]
  ).length

/** History events the cache holds twice (a chunk taken twice would leave some). */
const historyTwice = (db: Db) =>
  db
    .prepare(
      `SELECT count(*) - (SELECT count(*) FROM (SELECT DISTINCT request_id, server_id FROM history_events))
       FROM history_events`,
    )
    .pluck()
    .get() as number

const snapshotCalls = (paths: readonly string[]) => paths.filter((p) => p.startsWith('/api/v1/snapshot'))

/** The snapshot's chunks as the server sends them to `login`, read straight over HTTP. */
async function snapshotOver(url: string, login: string): Promise<Change[]> {
  const token = await accessTokenOf(url, login)
  const changes: Change[] = []
  let query = 'limit=50'
  for (;;) {
    const res = await fetch(`${url}/api/v1/snapshot?${query}`, {
      headers: { authorization: `Bearer ${token}` },
    })
    expect(res.status).toBe(200)
    const lines = gunzipSync(Buffer.from(await res.arrayBuffer()))
      .toString('utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; cursor: string; next: string | null })
    const header = lines.shift()!
    changes.push(...(lines as unknown as Change[]))
    if (header.next === null) return changes
    query = `limit=50&after=${header.next}&cursor=${header.cursor}`
  }
}

describe('first download by snapshot', () => {
  let world: SyncWorld
  const proxies: { close(): Promise<void> }[] = []
  beforeEach(async () => {
    world = await openSyncWorld({ requests: 240 })
  })
  afterEach(async () => {
    for (const p of proxies.splice(0)) await p.close()
    await world?.close()
  })

  /**
   * A proxy in front of the server that records every path and lets `onChunk` decide the
   * fate of each snapshot chunk asked (numbered from 1); everything else passes.
   */
  async function snapshotProxy(onChunk: (n: number) => Fault) {
    const proxy: FaultProxy = await startFaultProxy(world.url)
    proxies.push(proxy)
    const paths: string[] = []
    let chunks = 0
    proxy.setPlan((r) => {
      paths.push(r.path)
      return r.path.startsWith('/api/v1/snapshot') ? onChunk(++chunks) : { kind: 'pass' }
    })
    return { proxy, paths, chunks: () => chunks }
  }

  it('fills a fresh console with requests, comments and history, the same as the feed gives', async () => {
    const older = await startOlderServerProxy(world.url)
    proxies.push(older)
    // Passes everything, to see what the console asks for.
    const seen = await startFaultProxy(world.url)
    proxies.push(seen)
    const paths: string[] = []
    seen.setPlan((r) => {
      paths.push(r.path)
      return { kind: 'pass' }
    })

    const bySnapshot = await world.client('snap', 'sara.sup', { via: seen.url, pageSize: 10 })
    const status = await bySnapshot.settle()
    expect(status).toMatchObject({ state: 'idle', lastError: null, initial: null })
    // Chunks of 100 requests (ten feed pages), and no second « details » phase.
    expect(snapshotCalls(paths).length).toBeGreaterThanOrEqual(3)
    expect(paths.some((p) => p.startsWith('/api/v1/requests/details'))).toBe(false)

    const byFeed = await world.client('feed', 'sara.sup', { via: older.url, pageSize: 10 })
    await byFeed.settle()
    expect(snapshotCalls(older.paths).length).toBeGreaterThan(0)

    const got = cacheContent(bySnapshot.db)
    expect(got.requests).toHaveLength(240)
    expect(got.history.length).toBeGreaterThan(240)
    expect(got.comments.length).toBeGreaterThan(0)
    expect(got).toEqual(cacheContent(byFeed.db))
    expect(requestRows(bySnapshot.db)).toEqual(await serverRequestRows(world.server.store))
    // The derived data the bulk load builds once: search finds the same.
    const word = (got.requests[0] as { title: string }).title.split(/\s+/)[0]!.toLowerCase()
    expect(searchHits(bySnapshot.db, word)).toBeGreaterThan(0)
    expect(searchHits(bySnapshot.db, word)).toBe(searchHits(byFeed.db, word))
    // Nothing left behind: the staging file is gone once the snapshot is in.
    expect(existsSync(stagingPath(bySnapshot.db.name))).toBe(false)
  })

  it('gives an agent only their teams, and citizens’ names only to the roles that read them', async () => {
    const zoe = await snapshotOver(world.url, 'zoe.agent')
    const zoeRequests = zoe.flatMap((c) => (c.type === 'request' ? [c.entity] : []))
    const theirs = await serverRequestRows(world.server.store, ['voirie', 'voirie-nord'])
    expect(zoeRequests.map((e) => e.request.id).sort()).toEqual(theirs.map((r) => r.id))
    expect(zoeRequests.some((e) => e.citizenRef)).toBe(true)
    expect(zoeRequests.every((e) => e.citizen === null)).toBe(true)

    const tom = await snapshotOver(world.url, 'tom.tech')
    const tomRequests = tom.flatMap((c) => (c.type === 'request' ? [c.entity] : []))
    expect(tomRequests.map((e) => e.request.id).sort()).toEqual(
      (await serverRequestRows(world.server.store, ['voirie'])).map((r) => r.id),
    )
    expect(tomRequests.every((e) => !e.citizenRef && e.citizen === null)).toBe(true)

    // And the console: zoe's cache holds her teams' requests, nobody else's.
    const console = await world.client('zoe', 'zoe.agent', { pageSize: 10 })
    await console.settle()
    expect(requestRows(console.db)).toEqual(theirs)

    const refused = await fetch(`${world.url}/api/v1/snapshot`)
    expect(refused.status).toBe(401)
  })

  it('resumes after the connection is cut mid-download, without fetching a chunk twice', async () => {
    const { proxy, paths } = await snapshotProxy((n) => {
      // The third chunk cut halfway, then the line lost for good.
      if (n !== 3) return { kind: 'pass' }
      proxy.setOffline(true)
      return { kind: 'truncate' }
    })
    const c = await world.client('cut', 'sara.sup', { via: proxy.url, pageSize: 10 })
    const cut = await c.sync()
    expect(cut.state).toBe('offline')
    expect(existsSync(stagingPath(c.db.name))).toBe(true)

    proxy.setOffline(false)
    const status = await c.settle()
    expect(status).toMatchObject({ state: 'idle', lastError: null })
    expect(requestRows(c.db)).toEqual(await serverRequestRows(world.server.store))
    expect(historyTwice(c.db)).toBe(0)
    // The first chunk was asked once: the second round went on from the checkpoint.
    const firstChunks = snapshotCalls(paths).filter((p) => !/after=[^&]/.test(p))
    expect(firstChunks).toHaveLength(1)
  })

  it('asks again for a chunk that arrives whole but damaged, and ends with what the server has', async () => {
    // The third chunk's bytes damaged in the middle, the length right: only unpacking sees it.
    const { proxy, paths } = await snapshotProxy((n) => (n === 3 ? { kind: 'corrupt' } : { kind: 'pass' }))
    const c = await world.client('damaged', 'sara.sup', { via: proxy.url, pageSize: 10 })
    const status = await c.settle()
    expect(status).toMatchObject({ state: 'idle', lastError: null, initial: null })
    expect(requestRows(c.db)).toEqual(await serverRequestRows(world.server.store))
    expect(historyTwice(c.db)).toBe(0)
    // That chunk, and only it, was downloaded twice.
    const calls = snapshotCalls(paths)
    const twice = calls.filter((p, i) => calls.indexOf(p) !== i)
    expect(twice).toEqual([calls[2]])
  })

  it('lets the feed take over: an edit made during the download arrives', async () => {
    const proxy = await startFaultProxy(world.url)
    proxies.push(proxy)
    const [first] = (await serverRequestRows(world.server.store)).map((r) => r.id)
    let chunks = 0
    let edit: Promise<void> | null = null
    proxy.setPlan((r) => {
      if (!r.path.startsWith('/api/v1/snapshot')) return { kind: 'pass' }
      // Once the first chunk (which holds `first`) is sent, the request changes on the server.
      if (++chunks === 2)
        edit = world.serverWrite(
          "UPDATE requests SET title = 'Changé pendant le téléchargement', version = version + 1 WHERE id = ?",
          [first!],
          { requests: [first!] },
        )
      return chunks === 2 ? { kind: 'delay', ms: 200 } : { kind: 'pass' }
    })
    const c = await world.client('takeover', 'sara.sup', { via: proxy.url, pageSize: 10 })
    await c.settle()
    await edit
    await c.sync()
    const title = c.db.prepare('SELECT title FROM requests WHERE id = ?').pluck().get(first)
    expect(title).toBe('Changé pendant le téléchargement')
    expect(requestRows(c.db)).toEqual(await serverRequestRows(world.server.store))
  })
  it('resumes after a crash in the middle of the load, without duplicates', async () => {
    // The console in its own process, killed once the first chunk is in its cache, while it
    // waits for the third (held) and the second is on its way in: a bulk load under way.
    const { proxy, paths, chunks } = await snapshotProxy((n) => {
      if (n !== 3) return { kind: 'pass' }
      void killOnceLoading()
      return { kind: 'delay', ms: 60_000 }
    })
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(repoRoot, 'tests', 'support', 'consoleProcess.ts'),
        ...[proxy.url, join(world.dir, 'profiles'), 'crash', 'sara.sup', '10'],
      ],
      { stdio: ['ignore', 'pipe', 'inherit'], cwd: repoRoot },
    )
    const killed = new Promise((resolve) => child.once('exit', resolve))
    const profile = join(world.dir, 'profiles', 'crash')
    const cacheKey = () => profileCacheKey(profile, { kind: 'key-file' }).key
    const killOnceLoading = async () => {
      const watch = openStore(join(profile, 'cache.db'), { key: cacheKey() })
      try {
        while (watch.prepare('SELECT count(*) FROM requests').pluck().get() === 0) await sleep(10)
      } finally {
        watch.close()
      }
      child.kill('SIGKILL')
    }
    await killed
    expect(chunks()).toBe(3)
    // What the crash left: some requests in, the derived triggers off (a bulk load under way).
    const left = openStore(join(profile, 'cache.db'), { key: cacheKey() })
    const inBefore = left.prepare('SELECT count(*) FROM requests').pluck().get() as number
    const triggersBefore = schemaObjects(left).length
    left.close()
    expect(inBefore).toBeGreaterThan(0)
    expect(inBefore).toBeLessThan(240)
    expect(triggersBefore).toBeLessThan(wholeSchema().length)

    const c = await world.client('crash', 'sara.sup', { via: proxy.url, pageSize: 10 })
    const status = await c.settle()
    expect(status).toMatchObject({ state: 'idle', lastError: null, initial: null })
    expect(requestRows(c.db)).toEqual(await serverRequestRows(world.server.store))
    expect(historyTwice(c.db)).toBe(0)
    // Every trigger and index back, and the derived data built: search and counts work.
    expect(
      schemaObjects(c.db)
        .map((o) => o.name)
        .sort(),
    ).toEqual(wholeSchema())
    const word = (c.db.prepare('SELECT title FROM requests LIMIT 1').pluck().get() as string)
      .split(/\s+/)[0]!
      .toLowerCase()
    expect(searchHits(c.db, word)).toBeGreaterThan(0)
    expect(c.db.prepare('SELECT sum(n) FROM request_counts').pluck().get()).toBe(240)
    // Resumed from the checkpoint: the first chunk was downloaded once.
    expect(snapshotCalls(paths).filter((p) => !/after=[^&]/.test(p))).toHaveLength(1)
  })

  it('leaves out of the cache, and of its search, the citizens of requests past the retention delay', async () => {
    // The server anonymises after 12 months (the default), but its own job has not run yet:
    // the snapshot carries the names, and the console's retention must not keep them.
    await world.close()
    world = await openSyncWorld({ requests: 240, server: { config: AppConfigSchema.parse({}) } })
    const cutoff = addMonths(Date.now(), -12)
    const serverRows = await world.server.store.sql.all<{ id: string; closed_at: number | string | null }>(
      `SELECT id, closed_at FROM requests WHERE citizen_id IS NOT NULL`,
    )
    const due = serverRows
      .filter((r) => r.closed_at !== null && Number(r.closed_at) < cutoff)
      .map((r) => r.id)
    const kept = serverRows.filter((r) => r.closed_at === null).map((r) => r.id)
    expect(due.length).toBeGreaterThan(0)
    expect(kept.length).toBeGreaterThan(0)

    const c = await world.client('due', 'sara.sup', { pageSize: 10 })
    expect(await c.settle()).toMatchObject({ state: 'idle', lastError: null, initial: null })
    const citizenOf = c.db.prepare('SELECT citizen_id FROM requests WHERE id = ?').pluck()
    expect(due.map((id) => citizenOf.get(id))).toEqual(due.map(() => null))
    expect(kept.every((id) => typeof citizenOf.get(id) === 'string')).toBe(true)
    // Nobody's name in the search entries of those requests.
    const indexedName = c.db.prepare(
      `SELECT f.citizen_name FROM requests_fts f JOIN requests r ON r.rowid = f.rowid WHERE r.id = ?`,
    )
    expect(due.every((id) => !(indexedName.pluck().get(id) as string | null))).toBe(true)
    expect(c.db.prepare('SELECT sum(n) FROM request_counts').pluck().get()).toBe(240)
    expect(
      c.db.prepare("SELECT count(*) FROM sync_state WHERE key = 'retention_pending'").pluck().get(),
    ).toBe(0)
  })
})
