/**
 * Which database a server runs on: a `postgres://` URL (production: several instances on
 * one database) or a SQLite file (the embedded default, one instance).
 */
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import type { SqlDatabase } from './sql/client'
import { openPostgresDatabase } from './sql/postgres'
import { openSqliteDatabase } from './sql/sqlite'

export type DatabaseTarget = { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string }

export function databaseTarget(value: string): DatabaseTarget {
  if (/^postgres(ql)?:\/\//.test(value)) return { kind: 'postgres', url: value }
  return { kind: 'sqlite', file: value }
}

/** The target as logs and messages may show it: never a password. */
export function describeTarget(target: DatabaseTarget): string {
  if (target.kind === 'sqlite') return target.file
  try {
    const url = new URL(target.url)
    url.password = ''
    return url.toString()
  } catch {
    return 'postgres://…'
  }
}

export function openDatabase(target: DatabaseTarget, options: { poolSize?: number } = {}): SqlDatabase {
  if (target.kind === 'postgres') return openPostgresDatabase(target.url, { max: options.poolSize })
  mkdirSync(dirname(target.file), { recursive: true })
  return openSqliteDatabase(target.file)
}
