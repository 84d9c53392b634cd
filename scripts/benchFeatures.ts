/**
 * Each feature's figures on the benchmark's cache, measured through `core.invoke` (the path
 * a user pays: zod in and out, the handler, serialisation as IPC would do it). bench.ts runs
 * every entry on the same cache after its own figures; a feature adds one line below.
 */
import type { ChannelName, InputOf, OutputOf } from '../src/shared/contract'
import type { Db } from '../src/main/cache/db'
import { benchDuplicates } from './benchDuplicates'
import { benchDashboard } from './benchDashboard'
import { benchMapDuplicates } from './benchMapDuplicates'
import { benchDispatch } from './benchDispatch'

export interface BenchContext {
  /** A console core opened on the benchmark's cache file, with a logged-in session. */
  invoke: <C extends ChannelName>(channel: C, input: InputOf<C>) => Promise<OutputOf<C>>
  /** Log in as one of the demo accounts (password « demo »); `invoke` then runs as them. */
  loginAs: (login: string) => Promise<void>
  /** The cache itself, for picking inputs (ids, places) before timing; never time through it. */
  db: Db
  /** The benchmark's clock (ms since epoch): the cache was generated around it. */
  now: number
  /** Report samples (ms) under `key`: the p95 is the figure, p50/p95 are logged. */
  report: (key: string, samples: number[], what: string) => number
  log: (line: string) => void
}

export type FeatureBench = (ctx: BenchContext) => Promise<void>

export const FEATURE_BENCHES: FeatureBench[] = [
  benchDuplicates,
  benchDashboard,
  benchMapDuplicates,
  benchDispatch,
]
