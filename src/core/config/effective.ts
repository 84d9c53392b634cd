/**
 * The configuration as the Settings screen and the diagnostic show it: every key, its
 * effective value, the layer that set it and whether IT locked it. Secrets are masked: a
 * directory password is named by where it comes from (an environment variable, a sealed
 * file), never shown.
 */
import type { LoadedConfig } from './load'
import { isLocked } from './policy'

export type SettingLayer = 'default' | 'machine' | 'user' | 'env'

export interface EffectiveSetting {
  key: string
  value: unknown
  layer: SettingLayer
  locked: boolean
}

/** Keys whose value is itself a secret (their last part); `bindPassword.env` only names a variable. */
const SECRET = /(password|secret|token|apikey)$/i

export const MASKED = '••••••'

export function effectiveSettings(
  loaded: Pick<LoadedConfig, 'config' | 'origins' | 'locked'>,
): EffectiveSetting[] {
  return leaves(loaded.config as unknown as Record<string, unknown>)
    .map(([key, value]) => ({
      key,
      value: SECRET.test(key.split('.').at(-1)!) ? MASKED : value,
      layer: (loaded.origins[key] ?? 'default') as SettingLayer,
      locked: isLocked(key, loaded.locked),
    }))
    .sort((a, b) => a.key.localeCompare(b.key))
}

function leaves(obj: Record<string, unknown>, prefix = ''): Array<[string, unknown]> {
  return Object.entries(obj).flatMap(([k, v]): Array<[string, unknown]> =>
    typeof v === 'object' && v !== null && !Array.isArray(v)
      ? leaves(v as Record<string, unknown>, `${prefix}${k}.`)
      : [[`${prefix}${k}`, v]],
  )
}
