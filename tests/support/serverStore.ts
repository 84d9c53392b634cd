/**
 * Which store the central server runs on in this test run: the server's integration tests
 * run twice, once per store (vitest projects `integration` and `integration-pg`, the same
 * files): GRC_TEST_STORE=postgres gives each test server a fresh database on the run's
 * throwaway PostgreSQL (started once by postgresGlobalSetup.ts), otherwise a SQLite file.
 */
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { Client } from 'pg'
import { inject } from 'vitest'
import { PRIORITIES, type Priority } from '../../src/shared/domain'
import type { ServerStore } from '../../src/server/store/types'

export type TestStore = 'sqlite' | 'postgres'

export const TEST_STORE: TestStore = process.env.GRC_TEST_STORE === 'postgres' ? 'postgres' : 'sqlite'

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string
  }
}

/** A new empty database on the run's PostgreSQL; its URL. */
export async function createPostgresDatabase(): Promise<string> {
  const admin = inject('postgresUrl')
  if (!admin)
    throw new Error(
      'GRC_TEST_STORE=postgres needs the integration-pg project (its global setup starts PostgreSQL)',
    )
  const name = `grc_test_${randomBytes(6).toString('hex')}`
  const client = new Client({ connectionString: admin })
  await client.connect()
  try {
    await client.query(`CREATE DATABASE ${name}`)
  } finally {
    await client.end()
  }
  const url = new URL(admin)
  url.pathname = `/${name}`
  return url.toString()
}

/** Where a test server keeps its data: a SQLite file in `dir`, or a fresh PostgreSQL database. */
export async function testDatabase(dir: string, store: TestStore = TEST_STORE): Promise<string> {
  return store === 'postgres' ? createPostgresDatabase() : join(dir, 'server', 'grc.db')
}

/** A request as the comparisons below see it: what a console shows of it. */
export interface ComparableRequest {
  id: string
  reference: string
  title: string
  status: string
  priority: Priority
  teamId: string
  assigneeId: string | null
  description: string
  address: string | null
  version: number
  fields: Record<string, string>
}

const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)

/** The requests of a console's cache, as comparable rows. */
export function requestRows(
  db: import('better-sqlite3-multiple-ciphers').Database,
  teamIds?: readonly string[],
): ComparableRequest[] {
  const rows = db
    .prepare(
      `SELECT id, reference, title, status, priority, team_id AS teamId, assignee_id AS assigneeId,
              description, address, version, fields
       FROM requests`,
    )
    .all() as Array<Omit<ComparableRequest, 'priority' | 'fields'> & { priority: number; fields: string }>
  return rows
    .map((r) => ({
      ...r,
      priority: PRIORITIES[r.priority] ?? 'normal',
      fields: JSON.parse(r.fields) as Record<string, string>,
    }))
    .filter((r) => !teamIds || teamIds.includes(r.teamId))
    .sort(byId)
}

/** The requests of the server's store, as comparable rows. */
export async function serverRequestRows(
  store: ServerStore,
  teamIds?: readonly string[],
): Promise<ComparableRequest[]> {
  const rows = await store.sql.all<Omit<ComparableRequest, 'fields'> & { fields: string }>(
    `SELECT id, reference, title, status, priority, team_id AS "teamId", assignee_id AS "assigneeId",
            description, address, version, fields
     FROM requests`,
  )
  return rows
    .map((r) => ({ ...r, fields: JSON.parse(r.fields) as Record<string, string> }))
    .filter((r) => !teamIds || teamIds.includes(r.teamId))
    .sort(byId)
}
