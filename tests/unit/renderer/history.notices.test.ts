/**
 * The request's history tells the agent what became of the notices the server sent the
 * citizen: sent (by which channel), a failed attempt with its reason and the next try,
 * failed for good or bounced, with a line above the history while the latest notice has
 * not reached the citizen.
 */
import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { HistoryEvent } from '../../../src/shared/domain'
import HistoryTimeline from '../../../src/renderer/components/HistoryTimeline.vue'
import { useDetailStore } from '../../../src/renderer/stores/detail'
import { useReferenceStore } from '../../../src/renderer/stores/reference'
import { answer, resetFakeApi } from './support/fakeApi'
import { detailFor, reference, sessionFor, transitions } from './support/fixtures'
import { mountWithApp } from './support/mount'

vi.mock('../../../src/renderer/api', () => import('./support/fakeApi'))

let wrapper: VueWrapper | null = null

const notice = (id: number, kind: HistoryEvent['kind'], data: Record<string, unknown>): HistoryEvent => ({
  id,
  requestId: 'r1',
  kind,
  at: `2026-03-02T10:0${id}:00.000Z`,
  actorId: null,
  actorName: null,
  data: { noticeId: 'n1', event: 'public_reply', channel: 'email', attempt: id, ...data },
})

async function showHistory(history: HistoryEvent[]) {
  resetFakeApi()
  answer('reference.get', () => reference)
  answer('request.history', () => history)
  answer('request.comments', () => [])
  answer('request.transitions', () => transitions)
  const session = sessionFor(['agent'])
  answer('request.get', () => detailFor(session, {}))
  wrapper = mountWithApp(HistoryTimeline, session)
  await useReferenceStore().load()
  await useDetailStore().open('r1')
  await flushPromises()
  return wrapper
}

const lines = (w: VueWrapper) => w.findAll('li').map((li) => li.find('.what').text())

beforeEach(() => resetFakeApi())
afterEach(() => {
  wrapper?.unmount()
  wrapper = null
})

describe('notices in the history', () => {
  it('shows failed attempts with the reason and the next try, then the sending, with no alert', async () => {
    const w = await showHistory([
      notice(1, 'notice_failed', {
        reason: 'Refus du serveur de messagerie (451)',
        final: false,
        retryAt: '2026-03-02T10:05:00.000Z',
      }),
      notice(2, 'notice_sent', {}),
    ])
    const [failed, sent] = lines(w)
    expect(failed).toContain('Échec de l’envoi de l’avis par courriel (réponse publique), essai 1')
    expect(failed).toContain('Refus du serveur de messagerie (451)')
    expect(failed).toMatch(/Nouvel essai le 02\/03\/2026 \d\d:05/)
    expect(sent).toBe('Avis envoyé à l’usager par courriel (réponse publique)')
    expect(w.findAll('li')[0]!.classes()).toContain('notice-problem')
    expect(w.find('[data-testid="notice-unreached"]').exists()).toBe(false)
    expect(w.text()).toContain('par le système')
  })

  it('says when the latest notice did not reach the citizen: bounced, or failed for good', async () => {
    const w = await showHistory([
      notice(1, 'notice_sent', {}),
      notice(2, 'notice_bounced', {
        channel: 'sms',
        event: 'transition:reject',
        reason: 'Numéro refusé par le fournisseur SMS (400)',
      }),
    ])
    expect(lines(w)[1]).toBe(
      'Avis non remis — Avis refusé par SMS (changement de statut) : Numéro refusé par le fournisseur SMS (400)',
    )
    expect(w.find('[data-testid="notice-unreached"]').text()).toBe(
      'Le dernier avis n’a pas atteint l’usager : prévenez-le autrement.',
    )

    wrapper!.unmount()
    const again = await showHistory([
      notice(1, 'notice_failed', {
        channel: 'none',
        final: true,
        reason: 'L’usager préfère le courrier postal',
      }),
    ])
    expect(lines(again)[0]).toBe(
      'Avis non remis — Avis non envoyé à l’usager (réponse publique) : L’usager préfère le courrier postal',
    )
    expect(again.find('[data-testid="notice-unreached"]').exists()).toBe(true)
  })
})

describe('a citizen’s photo that could not be attached', () => {
  it('says so in the history, with the reason in words, and a plain line for a reason it does not know', async () => {
    const w = await showHistory([
      { ...notice(1, 'attachment_refused', {}), data: { reason: 'too_large', source: 'citizen' } },
      { ...notice(2, 'attachment_refused', {}), data: { reason: 'quota_exceeded', source: 'citizen' } },
    ])
    expect(lines(w)).toEqual(
      expect.arrayContaining([
        'La photo envoyée par l’usager n’a pas pu être jointe : le fichier est trop volumineux',
        'La photo envoyée par l’usager n’a pas pu être jointe : une erreur est survenue',
      ]),
    )
  })
})
