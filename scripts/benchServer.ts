/**
 * The central server's write throughput in `npm run bench`: one server process on each
 * store (SQLite file; PostgreSQL, durable: fsync on), 4 clients pushing concurrently, each
 * batches of 50 title edits and comments on its own requests, as consoles push their
 * outboxes. Figures: server_sqlite_mutations_per_s, server_pg_mutations_per_s.
 */
import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startPostgres } from '../tests/support/postgres'
import { startServerProcess } from './benchSync'

const CLIENTS = 4
const BATCH = 50
const BATCHES_PER_CLIENT = 60
const SEEDED = 5000

async function post<T>(url: string, body: unknown, token?: string): Promise<T> {
  const r = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  })
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status} ${await r.text()}`)
  return (await r.json()) as T
}

/** The requests a supervisor sees, with their versions (the feed, light). */
async function requestVersions(url: string, token: string): Promise<Map<string, number>> {
  const versions = new Map<string, number>()
  let since = '0'
  for (;;) {
    const r = await fetch(`${url}/api/v1/changes?since=${since}&limit=1000&light=1`, {
      headers: { authorization: `Bearer ${token}` },
    })
    const page = (await r.json()) as {
      changes: Array<{ type: string; entity?: { request: { id: string; version: number } } }>
      nextCursor: string
      hasMore: boolean
    }
    for (const c of page.changes) if (c.entity) versions.set(c.entity.request.id, c.entity.request.version)
    since = page.nextCursor
    if (!page.hasMore) return versions
  }
}

type Result = { status: string; mutationId: string; version?: number }

/** 4 clients × BATCHES_PER_CLIENT batches of BATCH mutations; mutations applied per second. */
async function pushThroughput(url: string): Promise<number> {
  // One login at a time: the throttle refuses parallel attempts on one account.
  const clients: Array<{ clientId: string; token: string }> = []
  for (let i = 0; i < CLIENTS; i++) {
    const clientId = `bench-${i}-${randomUUID()}`
    const login = await post<{ accessToken: string }>(`${url}/api/v1/auth/token`, {
      grantType: 'password',
      login: 'sara.sup',
      password: 'demo',
      clientId,
    })
    clients.push({ clientId, token: login.accessToken })
  }
  const versions = await requestVersions(url, clients[0]!.token)
  const ids = [...versions.keys()]
  const perClient = Math.floor(ids.length / CLIENTS)
  let applied = 0
  const started = performance.now()
  await Promise.all(
    clients.map(async ({ clientId, token }, c) => {
      const mine = ids.slice(c * perClient, (c + 1) * perClient)
      for (let b = 0; b < BATCHES_PER_CLIENT; b++) {
        const mutations = Array.from({ length: BATCH }, (_v, k) => {
          const id = mine[(b * BATCH + k) % mine.length]!
          const base = {
            mutationId: randomUUID(),
            clientId,
            entityId: id,
            baseVersion: versions.get(id)!,
            createdAt: Date.now(),
          }
          return k % 5 === 4
            ? {
                ...base,
                op: 'comment',
                payload: { commentId: randomUUID(), kind: 'internal', body: `Note ${b}.${k}` },
              }
            : { ...base, op: 'update', payload: { title: `Titre ${c}.${b}.${k}` } }
        })
        const { results } = await post<{ results: Result[] }>(`${url}/api/v1/mutations`, { mutations }, token)
        for (const [k, r] of results.entries()) {
          if (r.status !== 'applied')
            throw new Error(`mutation ${r.status}: ${JSON.stringify(r).slice(0, 300)}`)
          applied++
          if (r.version !== undefined) versions.set(mutations[k]!.entityId, r.version)
        }
      }
    }),
  )
  return Math.round(applied / ((performance.now() - started) / 1000))
}

export async function serverFigures(log: (line: string) => void): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), 'grc-bench-server-'))
  const figures: Record<string, number> = {}
  try {
    const sqlite = await startServerProcess(join(dir, 'server.db'), SEEDED)
    try {
      figures.server_sqlite_mutations_per_s = await pushThroughput(sqlite.url)
      log(
        `server on SQLite: ${figures.server_sqlite_mutations_per_s} mutations/s (${CLIENTS} clients, batches of ${BATCH})`,
      )
    } finally {
      sqlite.child.kill('SIGTERM')
    }
    const postgres = await startPostgres({ fsync: true })
    try {
      const pg = await startServerProcess(await postgres.createDatabase(), SEEDED)
      try {
        figures.server_pg_mutations_per_s = await pushThroughput(pg.url)
        log(
          `server on PostgreSQL: ${figures.server_pg_mutations_per_s} mutations/s (${CLIENTS} clients, batches of ${BATCH})`,
        )
      } finally {
        pg.child.kill('SIGTERM')
        await new Promise((r) => pg.child.once('exit', r))
      }
    } finally {
      await postgres.stop()
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  return figures
}

if (require.main === module)
  serverFigures(console.log).then(
    (f) => console.log(JSON.stringify(f)),
    (e: unknown) => {
      console.error(`bench: ${(e as Error).message}`)
      process.exit(1)
    },
  )
