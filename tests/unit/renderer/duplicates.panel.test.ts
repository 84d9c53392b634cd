import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { DuplicateCandidate, RequestDuplicates } from '../../../src/shared/channels/duplicates'
import RequestDetail from '../../../src/renderer/components/RequestDetail.vue'
import { useDetailStore } from '../../../src/renderer/stores/detail'
import { useReferenceStore } from '../../../src/renderer/stores/reference'
import { answer, answerDetailReads, callsTo, resetFakeApi } from './support/fakeApi'
import { detailFor, sessionFor } from './support/fixtures'
import { mountWithApp } from './support/mount'

vi.mock('../../../src/renderer/api', () => import('./support/fakeApi'))

let wrapper: VueWrapper | null = null

const candidate = (over: Partial<DuplicateCandidate> = {}): DuplicateCandidate => ({
  id: 'r2',
  reference: 'GRC-2026-000002',
  title: 'Nid-de-poule rue Saint-Dizier',
  status: 'new',
  statusKind: 'open',
  categoryId: 'cat-voirie',
  createdAt: '2026-03-01T09:00:00.000Z',
  distanceM: 18,
  daysApart: 3,
  sameCategory: true,
  textSimilarity: 0.5,
  sharedWords: ['nid', 'poule'],
  score: 0.81,
  linked: false,
  duplicateOf: null,
  ...over,
})

function found(over: Partial<RequestDuplicates> = {}): RequestDuplicates {
  return {
    candidates: [candidate()],
    duplicateOf: null,
    link: { allowed: true },
    unlink: { allowed: false, refusal: 'state' },
    ...over,
  }
}

beforeEach(() => {
  resetFakeApi()
  answerDetailReads()
})
afterEach(() => {
  wrapper?.unmount()
  wrapper = null
})

async function open(duplicates: RequestDuplicates) {
  const session = sessionFor(['agent'])
  answer('request.get', () => detailFor(session))
  answer('duplicates.ofRequest', () => duplicates)
  wrapper = mountWithApp(RequestDetail, session)
  await useReferenceStore().load()
  await useDetailStore().open('r1')
  await flushPromises()
  return wrapper.find('section.duplicates')
}

describe('the likely duplicates panel', () => {
  it('words each candidate’s reasons and links the open request to it in one write', async () => {
    const panel = await open(found())
    const item = panel.find('li')
    expect(item.text()).toContain('GRC-2026-000002')
    expect(item.text()).toContain('Ressemblance 81 %')
    expect(item.find('.reasons').text()).toBe(
      'à 18 m · 3 jours d’écart · même catégorie · mots communs : nid, poule',
    )

    answer('duplicates.link', () => detailFor(sessionFor(['agent']), { status: 'rejected', version: 4 }))
    const link = item.find('button[aria-label="Lier comme doublon de GRC-2026-000002"]')
    expect(link.text()).toBe('Lier comme doublon')
    await link.trigger('click')
    await flushPromises()
    expect(callsTo('duplicates.link')).toEqual([{ id: 'r1', masterId: 'r2', baseVersion: 3 }])
    expect(panel.find('[role="status"]').text()).toBe('Demande liée comme doublon de GRC-2026-000002.')
  })

  it('offers no link where the core refuses it, and says why', async () => {
    const panel = await open(found({ link: { allowed: false, refusal: 'role', reason: 'x' } }))
    expect(panel.findAll('button').filter((b) => b.text() === 'Lier comme doublon')).toHaveLength(0)
    expect(panel.text()).toContain('Votre rôle ne permet pas de lier des doublons.')
  })

  it('offers no link to a candidate that is itself a duplicate, and un-links a linked request', async () => {
    const panel = await open(
      found({
        candidates: [candidate({ duplicateOf: 'GRC-2026-000001' })],
        duplicateOf: 'GRC-2026-000009',
        unlink: { allowed: true },
      }),
    )
    expect(panel.text()).toContain('Doublon de GRC-2026-000001')
    expect(panel.findAll('button').filter((b) => b.text() === 'Lier comme doublon')).toHaveLength(0)
    expect(panel.text()).toContain('Cette demande est un doublon de GRC-2026-000009')
    answer('duplicates.unlink', () => detailFor(sessionFor(['agent']), { version: 4 }))
    await panel
      .find('button[aria-label="Délier de GRC-2026-000009 : ce n’est pas un doublon"]')
      .trigger('click')
    await flushPromises()
    expect(callsTo('duplicates.unlink')).toEqual([{ id: 'r1', baseVersion: 3 }])
  })

  it('says when nothing looks alike, and the unplaced and related-category reasons', async () => {
    expect((await open(found({ candidates: [] }))).text()).toContain('Aucune demande proche')
    wrapper?.unmount()
    const panel = await open(
      found({
        candidates: [candidate({ distanceM: null, daysApart: 0, sameCategory: false, sharedWords: [] })],
      }),
    )
    expect(panel.find('.reasons').text()).toBe(
      'sans localisation · le même jour · catégorie voisine : Voirie · aucun mot commun',
    )
  })
})
