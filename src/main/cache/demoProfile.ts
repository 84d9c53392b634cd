/**
 * The demo profile: an empty cache is filled with the demo authority (Métropole du Grand
 * Nancy) so a workstation with no configuration opens on something to work with.
 */
import { seedDemo } from './demoSeed'
import type { Db } from './db'
import { countAllRequests } from './queries/requests'

export function prepareDemoProfile(db: Db, options: { count: number; seed: number; now: number }): boolean {
  if (countAllRequests(db) > 0) return false
  seedDemo(db, options)
  return true
}
