/**
 * Configuration layers, lowest first: built-in defaults < the machine-wide file IT
 * deploys < the user's file < the file `GRC_CONFIG` points at. Each file is validated on
 * its own first, so an error names the file that holds the bad value and its key.
 */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { z } from 'zod'
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
}

export interface LoadConfigOptions {
  userConfigFile: string
  machineConfigFile?: string
  env?: NodeJS.ProcessEnv
}

/** Keys that lower the workstation's protection: an agent's own file must not set them. */
const MACHINE_ONLY_KEYS = new Set(['security.allowWeakKeychain'])

export function loadConfig(options: LoadConfigOptions): LoadedConfig {
  const env = options.env ?? process.env
  const candidates: Array<ConfigLayer & { required: boolean }> = [
    { kind: 'machine', file: options.machineConfigFile ?? machineConfigPath(), required: false },
    { kind: 'user', file: options.userConfigFile, required: false },
  ]
  if (env.GRC_CONFIG) candidates.push({ kind: 'env', file: env.GRC_CONFIG, required: true })

  let merged: Record<string, unknown> = {}
  const layers: ConfigLayer[] = []
  const origins: Record<string, ConfigLayer['kind']> = {}
  for (const layer of candidates) {
    if (!existsSync(layer.file)) {
      if (layer.required)
        throw new ConfigError(`${layer.file}: GRC_CONFIG points at a file that does not exist`)
      continue
    }
    const raw = readLayer(layer.file)
    reportIssues(AppConfigSchema.safeParse(raw), layer.file)
    const keys = leafKeys(raw)
    const weakening = keys.filter((k) => MACHINE_ONLY_KEYS.has(k))
    if (layer.kind !== 'machine' && weakening.length > 0)
      throw new ConfigError(
        `${layer.file}: ${weakening.join(', ')} can only be set in the machine configuration (${machineConfigPath()}), by IT`,
      )
    for (const key of keys) origins[key] = layer.kind
    merged = deepMerge(merged, raw)
    layers.push({ kind: layer.kind, file: layer.file })
  }
  const parsed = AppConfigSchema.safeParse(merged)
  reportIssues(parsed, layers.map((l) => l.file).join(' + ') || 'built-in defaults')
  return { config: parsed.data as AppConfig, layers, origins }
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
