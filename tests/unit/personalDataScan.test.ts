import { describe, expect, it } from 'vitest'
import { scanForPersonalData } from '../support/personalDataScan'
import { generateCitizens } from '../../src/core/demo/generate'

describe('the personal data scan of logs', () => {
  it('finds the demo citizens’ names, e-mails and phones, wherever they sit in a line', () => {
    const [citizen] = generateCitizens(40, 7).filter((c) => c.email && c.phone)
    const log = [
      JSON.stringify({ level: 'info', where: 'start', message: 'console prête' }),
      JSON.stringify({ level: 'error', where: 'request.comment', message: `refusé pour ${citizen!.name}` }),
      `{"message":"envoi à ${citizen!.email} échoué"}`,
      `appel du ${citizen!.phone}`,
      'rappeler le +33 6 12 34 56 78',
    ].join('\n')
    const found = scanForPersonalData(log)
    expect(found.map((f) => [f.kind, f.line])).toEqual([
      ['name', 2],
      ['email', 3],
      ['phone', 4],
      ['phone', 5],
    ])
    expect(found[0]!.match).toBe(citizen!.name)
  })

  it('leaves alone what is not personal: references, times, counts, ids', () => {
    const log = [
      '{"time":"2026-12-04T10:00:00.000Z","level":"error","where":"sync","message":"HTTP 503 après 3 essais"}',
      '{"where":"request.get","message":"GRC-2026-004512 introuvable (id 0dd5a1e5-0000-4000-8000-00000000a551)"}',
      'cache : 1500 demandes, 684 citoyens, 12 345 678 octets',
    ].join('\n')
    expect(scanForPersonalData(log)).toEqual([])
  })
})
