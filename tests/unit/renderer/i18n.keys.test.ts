import { describe, expect, it } from 'vitest'
import en from '../../../src/renderer/i18n/en'
import fr from '../../../src/renderer/i18n/fr'
import { ERROR_CODES } from '../../../src/shared/result'
import { CHANNELS, HISTORY_KINDS, PRIORITIES, ROLES } from '../../../src/shared/domain'
import { QUEUE_SORTS } from '../../../src/shared/contract'
import { TRANSITION_FIELDS } from '../../../src/shared/workflow'

function keysOf(messages: object, prefix = ''): string[] {
  return Object.entries(messages).flatMap(([key, value]) =>
    typeof value === 'object' && value !== null ? keysOf(value, `${prefix}${key}.`) : [`${prefix}${key}`],
  )
}

describe('translations', () => {
  it('have exactly the same keys in French and English', () => {
    expect(keysOf(en).sort()).toEqual(keysOf(fr).sort())
  })

  it('have no empty message', () => {
    for (const messages of [fr, en]) {
      const flat = keysOf(messages)
      expect(flat.length).toBeGreaterThan(100)
      const empty = flat.filter((path) => {
        const value = path
          .split('.')
          .reduce<unknown>((node, k) => (node as Record<string, unknown>)[k], messages)
        return typeof value !== 'string' || value.trim() === ''
      })
      expect(empty).toEqual([])
    }
  })

  it('name every code the core can send: errors, roles, priorities, channels, sorts, fields, history kinds', () => {
    const keys = new Set(keysOf(fr))
    const needed = [
      ...ERROR_CODES.map((c) => `errors.${c}`),
      'errors.network',
      'errors.bridge_token',
      ...ROLES.map((r) => `roles.${r}`),
      ...PRIORITIES.map((p) => `priority.${p}`),
      ...CHANNELS.map((c) => `channel.${c}`),
      ...QUEUE_SORTS.map((s) => `queue.sorts.${s}`),
      ...TRANSITION_FIELDS.map((f) => `transitions.fields.${f}`),
      ...HISTORY_KINDS.filter(
        (k) => !['created', 'routed', 'transitioned', 'assigned', 'commented'].includes(k),
      ).map((k) => `history.kinds.${k}`),
    ]
    expect(needed.filter((k) => !keys.has(k))).toEqual([])
  })
})
