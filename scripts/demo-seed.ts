/**
 * `npm run demo:seed -- --db PATH --count N [--seed S] [--now ISO]`: fill a cache with the
 * demo profile (Métropole du Grand Nancy): reference data, agents, citizens and N requests
 * with their histories and comments. Deterministic: the same seed and `--now` give the same
 * data (dates go back from `--now`, by default the current time).
 */
import { existsSync } from 'node:fs'
import { seedDemo } from '../src/main/cache/demoSeed'
import { openStore } from '../src/main/cache/db'
import { countAllRequests } from '../src/main/cache/queries/requests'

const USAGE = 'usage: npm run demo:seed -- --db PATH --count N [--seed S] [--now 2026-03-16T10:00:00Z]'

interface Args {
  db: string
  count: number
  seed: number
  now: number | undefined
}

function parseArgs(argv: string[]): Args {
  let db: string | undefined
  let count: number | undefined
  let seed = 42
  let now: number | undefined
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    const next = argv[i + 1]
    const whole = (name: string, min: number, max: number) => {
      const n = Number(next)
      if (next === undefined || next.trim() === '' || !Number.isSafeInteger(n) || n < min || n > max)
        throw new Error(`${name} expects a whole number between ${min} and ${max}, got ${next ?? 'nothing'}`)
      i++
      return n
    }
    if (arg === '--db') {
      if (!next || next.startsWith('--')) throw new Error('--db expects a file path')
      db = next
      i++
    } else if (arg === '--count') count = whole('--count', 0, 5_000_000)
    else if (arg === '--seed') seed = whole('--seed', -2147483648, 2147483647)
    else if (arg === '--now') {
      now = next ? Date.parse(next) : NaN
      if (!Number.isFinite(now)) throw new Error(`--now expects an ISO date-time, got ${next ?? 'nothing'}`)
      i++
    } else if (arg === '--help' || arg === '-h') throw new Error(USAGE)
    else throw new Error(`unknown argument ${arg}`)
  }
  if (!db) throw new Error('--db is required')
  if (count === undefined) throw new Error('--count is required')
  return { db, count, seed, now }
}

function main(): void {
  let args: Args
  try {
    args = parseArgs(process.argv.slice(2))
  } catch (e) {
    const message = (e as Error).message
    console.error(message === USAGE ? USAGE : `demo:seed: ${message}\n${USAGE}`)
    process.exit(2)
  }
  const existed = existsSync(args.db)
  const db = openStore(args.db)
  try {
    if (countAllRequests(db) > 0) {
      console.error(`demo:seed: ${args.db} already holds requests; seed an empty or new file.`)
      process.exit(1)
    }
    const r = seedDemo(db, { count: args.count, seed: args.seed, now: args.now })
    db.pragma('wal_checkpoint(TRUNCATE)')
    console.log(
      `${existed ? 'seeded' : 'created'} ${args.db}: ${r.requests} requests, ${r.citizens} citizens, ` +
        `${r.historyEvents} history events, ${r.comments} comments, ${r.workflows} workflow definitions ` +
        `in ${(r.ms / 1000).toFixed(1)} s (seed ${args.seed})`,
    )
  } finally {
    db.close()
  }
}

main()
