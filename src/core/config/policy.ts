/**
 * Machine policy: what IT sets in the machine-wide configuration (or by GPO in the Windows
 * registry) that an agent's own file and `GRC_CONFIG` cannot change. Without it, an agent
 * could set `auth.idleLockMinutes: 0`, `auth.offlineDays: 90` or another `sync.serverUrl`.
 *
 * A key is locked when the machine layer lists it in `policy.locked` (a key or a whole
 * section: `"auth"` locks every `auth.*`), or when the machine layer sets a key of a
 * security section (DEFAULT_LOCKED): those are locked by default. `policy.*` and
 * `security.*` come from the machine layer only, whether it sets them or not. A locked key
 * in a higher layer is reported at start and ignored, never applied.
 */

/** Sections whose keys are locked as soon as the machine layer sets them. */
export const DEFAULT_LOCKED = [
  'auth',
  'sync.serverUrl',
  'sync.caFile',
  'privacy',
  'map.baseMap',
  'update',
  // IT turning a kind of in-console notification off wins over the agent's own file.
  'consoleNotifications',
] as const

/** Sections only the machine layer may set at all. */
export const MACHINE_ONLY = ['policy', 'security'] as const

/** `key` is `entry` or inside it (`auth.ldap.urls` is inside `auth`). */
export const covers = (entry: string, key: string): boolean => key === entry || key.startsWith(`${entry}.`)

/** The keys the machine layer locks, given its dotted leaf keys and its `policy.locked`. */
export function lockedKeys(machineLeafKeys: readonly string[], policyLocked: readonly string[]): string[] {
  const byDefault = machineLeafKeys.filter((key) => DEFAULT_LOCKED.some((section) => covers(section, key)))
  return [...new Set([...MACHINE_ONLY, ...policyLocked, ...byDefault])].sort()
}

/** Whether a higher layer may set `key` under these locks. */
export function isLocked(key: string, locked: readonly string[]): boolean {
  return locked.some((entry) => covers(entry, key))
}

/** A copy of `layer` without the keys the locks cover, and the keys removed. */
export function withoutLocked(
  layer: Record<string, unknown>,
  locked: readonly string[],
  prefix = '',
): { kept: Record<string, unknown>; ignored: string[] } {
  const kept: Record<string, unknown> = {}
  const ignored: string[] = []
  for (const [name, value] of Object.entries(layer)) {
    const key = `${prefix}${name}`
    if (isLocked(key, locked)) {
      ignored.push(...leavesOf(value, key))
      continue
    }
    if (isObject(value) && locked.some((entry) => entry.startsWith(`${key}.`))) {
      const inner = withoutLocked(value, locked, `${key}.`)
      kept[name] = inner.kept
      ignored.push(...inner.ignored)
    } else kept[name] = value
  }
  return { kept, ignored }
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

function leavesOf(value: unknown, key: string): string[] {
  return isObject(value) ? Object.entries(value).flatMap(([k, v]) => leavesOf(v, `${key}.${k}`)) : [key]
}
