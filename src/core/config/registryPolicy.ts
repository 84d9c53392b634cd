/**
 * Windows: the machine configuration may also come by GPO, as values of
 * `HKLM\Software\Policies\GRC Console`, one value per dotted key (`sync.serverUrl`,
 * `auth.idleLockMinutes`, `policy.locked`). REG_DWORD and REG_QWORD are numbers, REG_MULTI_SZ
 * a list of strings, REG_SZ a string, or the JSON value it spells (`true`, `15`, `["a"]`).
 * Read with `reg query` (no native module); applied over the machine file, as machine layer.
 */
import { execFileSync } from 'node:child_process'

export const POLICY_REGISTRY_KEY = 'HKLM\\Software\\Policies\\GRC Console'

/** Where machine policy comes from besides the file: tests give their own. */
export type MachinePolicySource = () => Record<string, unknown> | null

/** The registry's policy values as a configuration object; null when the key does not exist. */
export function parseRegQuery(stdout: string): Record<string, unknown> | null {
  const out: Record<string, unknown> = {}
  let any = false
  for (const line of stdout.split(/\r?\n/)) {
    // "    name    REG_TYPE    data": names are dotted configuration keys, without spaces.
    const m = /^\s{2,}(\S+)\s+(REG_SZ|REG_EXPAND_SZ|REG_DWORD|REG_QWORD|REG_MULTI_SZ)\s*(.*)$/.exec(line)
    if (!m) continue
    const [, name, type, data = ''] = m
    any = true
    setPath(out, name!.split('.'), valueOf(type!, data.trim()))
  }
  return any ? out : null
}

function valueOf(type: string, data: string): unknown {
  if (type === 'REG_DWORD' || type === 'REG_QWORD') return Number(data)
  if (type === 'REG_MULTI_SZ') return data === '' ? [] : data.split('\\0').filter((s) => s !== '')
  try {
    return JSON.parse(data)
  } catch {
    return data
  }
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let at = target
  for (const part of path.slice(0, -1)) {
    const next = at[part]
    const inner: Record<string, unknown> =
      typeof next === 'object' && next !== null && !Array.isArray(next)
        ? (next as Record<string, unknown>)
        : {}
    at[part] = inner
    at = inner
  }
  at[path.at(-1)!] = value
}

/** The registry on Windows, nothing elsewhere (Linux and macOS have the file only). */
export function registryPolicySource(platform: NodeJS.Platform = process.platform): MachinePolicySource {
  if (platform !== 'win32') return () => null
  return () => {
    try {
      return parseRegQuery(
        execFileSync('reg', ['query', POLICY_REGISTRY_KEY], { encoding: 'utf8', windowsHide: true }),
      )
    } catch {
      // `reg query` fails when the key does not exist: no policy by GPO.
      return null
    }
  }
}
