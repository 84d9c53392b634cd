/**
 * Merging a candidate into the open request from the duplicates panel (issue 14): « Fusionner »
 * only where the core allows it, a confirmation that says what will be carried over before the
 * one write, Escape backing out, and the merge in words in the history.
 */
import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type {
  DuplicateCandidate,
  MergePreview,
  RequestDuplicates,
} from '../../../src/shared/channels/duplicates'
import type { HistoryEvent } from '../../../src/shared/domain'
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
  status: 'duplicate',
  statusKind: 'closed',
  categoryId: 'cat-voirie',
  createdAt: '2026-03-01T09:00:00.000Z',
  distanceM: 18,
  daysApart: 3,
  sameCategory: true,
  textSimilarity: 0.5,
  sharedWords: ['nid', 'poule'],
  score: 0.81,
  linked: true,
  duplicateOf: null,
  merge: { allowed: true },
  mergedInto: null,
  mergePending: false,
  ...over,
})

const found = (c: DuplicateCandidate): RequestDuplicates => ({
  candidates: [c],
  duplicateOf: null,
  link: { allowed: true },
  unlink: { allowed: false, refusal: 'state' },
})

const preview: MergePreview = {
  merge: { allowed: true },
  reference: 'GRC-2026-000002',
  version: 5,
  comments: 2,
  attachments: 1,
  citizen: true,
}

beforeEach(() => {
  resetFakeApi()
  answerDetailReads()
})
afterEach(() => {
  wrapper?.unmount()
  wrapper = null
})

async function open(c: DuplicateCandidate, history: HistoryEvent[] = []) {
  const session = sessionFor(['agent'])
  answer('request.get', () => detailFor(session))
  answer('request.history', () => history)
  answer('duplicates.ofRequest', () => found(c))
  answer('duplicates.mergePreview', () => preview)
  wrapper = mountWithApp(RequestDetail, session)
  await useReferenceStore().load()
  await useDetailStore().open('r1')
  await flushPromises()
  return wrapper.find('section.duplicates')
}

function dialog(): HTMLElement | null {
  const found = wrapper?.find<HTMLElement>('[role="dialog"][aria-labelledby="merge-title"]')
  return found?.exists() ? found.element : null
}

describe('merging a duplicate from the panel', () => {
  it('says what will be carried over, then merges in one write', async () => {
    const panel = await open(candidate())
    const button = panel.find('button[aria-label="Fusionner GRC-2026-000002 dans cette demande"]')
    expect(button.text()).toBe('Fusionner')
    await button.trigger('click')
    await flushPromises()
    expect(callsTo('duplicates.mergePreview')).toEqual([{ id: 'r1', duplicateId: 'r2' }])

    const shown = dialog()
    expect(shown).not.toBeNull()
    expect(shown!.getAttribute('aria-modal')).toBe('true')
    expect(shown!.querySelector('h2')!.textContent).toBe('Fusionner GRC-2026-000002 dans cette demande')
    expect([...shown!.querySelectorAll('li')].map((li) => li.textContent!.trim())).toEqual([
      '2 commentaires',
      '1 pièce jointe',
      'son usager, qui sera prévenu quand cette demande sera résolue',
    ])
    expect(shown!.textContent).toContain('la fusion ne peut pas être annulée')
    expect(callsTo('duplicates.merge')).toEqual([])

    answer('duplicates.merge', () => detailFor(sessionFor(['agent'])))
    const confirm = [...shown!.querySelectorAll('button')].find(
      (b) => b.textContent!.trim() === 'Fusionner GRC-2026-000002',
    )!
    expect(confirm.hasAttribute('data-autofocus')).toBe(true)
    confirm.click()
    await flushPromises()
    expect(callsTo('duplicates.merge')).toEqual([
      { id: 'r1', duplicateId: 'r2', baseVersion: 3, duplicateVersion: 5 },
    ])
    expect(dialog()).toBeNull()
    expect(panel.find('[role="status"]').text()).toContain('GRC-2026-000002 fusionnée dans cette demande')
  })

  it('backs out with Escape, writing nothing', async () => {
    const panel = await open(candidate())
    await panel.find('button[aria-label="Fusionner GRC-2026-000002 dans cette demande"]').trigger('click')
    await flushPromises()
    dialog()!.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }))
    await flushPromises()
    expect(dialog()).toBeNull()
    expect(callsTo('duplicates.merge')).toEqual([])
  })

  it('offers no merge where the core refuses it, and says why; a merged candidate says so', async () => {
    const refused = await open(candidate({ merge: { allowed: false, refusal: 'role', reason: 'x' } }))
    expect(refused.findAll('button').filter((b) => b.text() === 'Fusionner')).toHaveLength(0)
    expect(refused.text()).toContain('Votre rôle ne permet pas de fusionner ces demandes.')
    wrapper?.unmount()

    const merged = await open(candidate({ mergedInto: 'GRC-2026-000001', merge: { allowed: false } }))
    expect(merged.findAll('button').filter((b) => b.text() === 'Fusionner')).toHaveLength(0)
    expect(merged.text()).toContain('Fusionnée dans cette demande')
    wrapper?.unmount()

    const waiting = await open(candidate({ mergePending: true, merge: { allowed: false } }))
    expect(waiting.text()).toContain('Fusion en attente d’envoi')
  })

  it('words the merge in the history, with what it brought', async () => {
    const event = (data: Record<string, unknown>, id: number): HistoryEvent => ({
      id,
      requestId: 'r1',
      kind: 'merged',
      at: '2026-03-04T10:00:00.000Z',
      actorId: 'agent-zoe',
      actorName: 'Zoé Marchal',
      data,
    })
    await open(candidate(), [
      event(
        { direction: 'in', otherReference: 'GRC-2026-000002', comments: 2, attachments: 0, citizen: true },
        1,
      ),
      event({ direction: 'out', otherReference: 'GRC-2026-000009' }, 2),
    ])
    const lines = wrapper!.findAll('section.history li .what').map((w) => w.text())
    expect(lines).toEqual([
      'GRC-2026-000002 fusionnée dans cette demande : 2 commentaires, aucune pièce jointe, son usager sera prévenu à la résolution',
      'Fusionnée dans GRC-2026-000009',
    ])
  })
})
