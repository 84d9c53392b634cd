/**
 * Personal data in text that should hold none (logs, the diagnostic): the demo citizens'
 * names (every first name × last name of the demo vocabulary), any e-mail address and any
 * French phone number. Returns what was found, with the line.
 */
import { FIRST_NAMES, LAST_NAMES } from '../../src/core/demo/vocabulary'

export interface PersonalDataFinding {
  kind: 'name' | 'email' | 'phone'
  line: number
  match: string
}

const EMAIL = /[\w.+-]+@[\w-]+(\.[\w-]+)+/g
// 06 39 98 12 34, 0639981234, +33 6 39 98 12 34, 06.39.98.12.34
const PHONE = /(?<![\d.])(?:\+33\s?|0)[1-9](?:[\s.-]?\d{2}){4}(?![\d.])/g
const NAMES = new RegExp(
  `\\b(?:${FIRST_NAMES.join('|')})\\s+(?:${LAST_NAMES.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})\\b`,
  'gu',
)

export function scanForPersonalData(text: string): PersonalDataFinding[] {
  const found: PersonalDataFinding[] = []
  text.split('\n').forEach((content, i) => {
    for (const [kind, pattern] of [
      ['email', EMAIL],
      ['phone', PHONE],
      ['name', NAMES],
    ] as const)
      for (const m of content.matchAll(pattern)) found.push({ kind, line: i + 1, match: m[0] })
  })
  return found
}
