/**
 * Configuration layers, lowest first: built-in defaults < the machine-wide file IT
 * deploys (and, on Windows, its GPO values) < the user's file < the file `GRC_CONFIG`
 * points at. Each file is validated on its own first, so an error names the file that
 * holds the bad value and its key. What the machine layer locks (config/policy.ts) the
 * higher layers cannot change: their attempts are ignored and reported.
 */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { z } from 'zod'
import { lockedKeys, withoutLocked } from './policy'
import { POLICY_REGISTRY_KEY, registryPolicySource, type MachinePolicySource } from './registryPolicy'
import { AppConfigSchema, type AppConfig } from './schema'

export class ConfigError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ConfigError'
  }
}

/** The file IT deploys, one path per OS (ProgramData on Windows, /etc elsewhere). */
export function machineConfigPath(platform: NodeJS.Platform = process.platform, env = process.env): string {
  if (platform === 'win32') return join(env.ProgramData ?? 'C:\\ProgramData', 'GRC Console', 'config.json')
  if (platform === 'darwin') return '/Library/Application Support/GRC Console/config.json'
  return '/etc/grc-console/config.json'
}

export interface ConfigLayer {
  kind: 'machine' | 'user' | 'env'
  file: string
}

export interface LoadedConfig {
  config: AppConfig
  /** The layers that existed and were applied, lowest first. */
  layers: ConfigLayer[]
  /** For each dotted key set by a file, the layer that set it last (Settings shows what IT locked). */
  origins: Record<string, ConfigLayer['kind']>
  /** Keys and sections the machine layer locks (config/policy.ts). */
  locked: string[]
  /** Keys a higher layer tried to set under a lock: ignored, to be reported at start. */
  ignored: IgnoredKey[]
}

export interface IgnoredKey {
  key: string
  file: string
}

export interface LoadConfigOptions {
  userConfigFile: string
  machineConfigFile?: string
  env?: NodeJS.ProcessEnv
  /** Machine policy besides the file: the Windows registry (GPO) by default. */
  machinePolicy?: MachinePolicySource
}

export function loadConfig(options: LoadConfigOptions): LoadedConfig {
  const env = options.env ?? process.env
  const machineFile = options.machineConfigFile ?? machineConfigPath()
  const candidates: Array<ConfigLayer & { required: boolean }> = [
    { kind: 'machine', file: machineFile, required: false },
    { kind: 'user', file: options.userConfigFile, required: false },
  ]
  if (env.GRC_CONFIG) candidates.push({ kind: 'env', file: env.GRC_CONFIG, required: true })

  const read: Array<{ layer: ConfigLayer; raw: Record<string, unknown> }> = []
  for (const layer of candidates) {
    if (!existsSync(layer.file)) {
      if (layer.required)
        throw new ConfigError(`${layer.file}: GRC_CONFIG points at a file that does not exist`)
      continue
    }
    const raw = readLayer(layer.file)
    reportIssues(AppConfigSchema.safeParse(raw), layer.file)
    read.push({ layer: { kind: layer.kind, file: layer.file }, raw })
  }
  // GPO values count as machine configuration, over the machine file.
  const fromRegistry = (options.machinePolicy ?? registryPolicySource())()
  if (fromRegistry) {
    const file = `registre ${POLICY_REGISTRY_KEY}`
    reportIssues(AppConfigSchema.safeParse(fromRegistry), file)
    const at = read.findIndex((r) => r.layer.kind !== 'machine')
    read.splice(at < 0 ? read.length : at, 0, { layer: { kind: 'machine', file }, raw: fromRegistry })
  }

  const machine = read
    .filter((r) => r.layer.kind === 'machine')
    .reduce<Record<string, unknown>>((m, r) => deepMerge(m, r.raw), {})
  const policyLocked = ((machine.policy as { locked?: string[] } | undefined)?.locked ?? []) as string[]
  const locked = lockedKeys(leafKeys(machine), policyLocked)

  let merged: Record<string, unknown> = {}
  const origins: Record<string, ConfigLayer['kind']> = {}
  const ignored: IgnoredKey[] = []
  for (const { layer, raw } of read) {
    const applied = layer.kind === 'machine' ? { kept: raw, ignored: [] } : withoutLocked(raw, locked)
    ignored.push(...applied.ignored.map((key) => ({ key, file: layer.file })))
    for (const key of leafKeys(applied.kept)) origins[key] = layer.kind
    merged = deepMerge(merged, applied.kept)
  }
  const parsed = AppConfigSchema.safeParse(merged)
  reportIssues(parsed, read.map((r) => r.layer.file).join(' + ') || 'built-in defaults')
  return { config: parsed.data as AppConfig, layers: read.map((r) => r.layer), origins, locked, ignored }
}

/** What start-up reports for each ignored key (the log, `dev:web`'s console). */
export function ignoredKeyMessage(ignored: IgnoredKey): string {
  return `${ignored.file}: ${ignored.key} est fixée par la configuration de la machine (service informatique) : valeur ignorée`
}

/** Validate a configuration object that does not come from a file (tests, the web bridge CLI). */
export function parseConfig(raw: unknown, source = 'configuration'): AppConfig {
  const parsed = AppConfigSchema.safeParse(raw ?? {})
  reportIssues(parsed, source)
  return parsed.data as AppConfig
}

function readLayer(file: string): Record<string, unknown> {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (e) {
    throw new ConfigError(`${file}: cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`)
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (e) {
    throw new ConfigError(`${file}: is not valid JSON (${(e as Error).message})`)
  }
  if (!isPlainObject(value)) throw new ConfigError(`${file}: the configuration must be a JSON object`)
  return value
}

function reportIssues(result: z.ZodSafeParseResult<unknown>, source: string): void {
  if (result.success) return
  const lines = result.error.issues.map((issue) => {
    const path = issue.path.map(String).join('.')
    const keys = issue.code === 'unrecognized_keys' ? issue.keys.map((k) => (path ? `${path}.${k}` : k)) : []
    const where = keys.length > 0 ? keys.join(', ') : path || '(root)'
    return `${source}: ${where}: ${issue.message}`
  })
  throw new ConfigError(lines.join('\n'))
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

/** Objects merge key by key; arrays and scalars of a higher layer replace the lower ones. */
function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base }
  for (const [k, v] of Object.entries(over)) {
    const prev = out[k]
    out[k] = isPlainObject(prev) && isPlainObject(v) ? deepMerge(prev, v) : v
  }
  return out
}

function leafKeys(obj: Record<string, unknown>, prefix = ''): string[] {
  return Object.entries(obj).flatMap(([k, v]) =>
    isPlainObject(v) ? leafKeys(v, `${prefix}${k}.`) : [`${prefix}${k}`],
  )
}
