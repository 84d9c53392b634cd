import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { OutputOf } from '../../../src/shared/contract'
import type { Comment, RequestDetail as Detail, Role } from '../../../src/shared/domain'
import { ApiError } from '../../../src/renderer/apiError'
import RequestDetail from '../../../src/renderer/components/RequestDetail.vue'
import { useDetailStore } from '../../../src/renderer/stores/detail'
import { useReferenceStore } from '../../../src/renderer/stores/reference'
import { answer, callsTo, resetFakeApi } from './support/fakeApi'
import { detailFor, detailOf, reference, sessionFor, transitions, XSS_DESCRIPTION } from './support/fixtures'
import { buttonNamed, controlLabelled, mountWithApp } from './support/mount'

vi.mock('../../../src/renderer/api', () => import('./support/fakeApi'))

let wrapper: VueWrapper | null = null

beforeEach(() => {
  resetFakeApi()
  answer('reference.get', () => reference)
  answer('request.history', () => [
    {
      id: 1,
      requestId: 'r1',
      kind: 'transitioned',
      at: '2026-03-02T10:00:00.000Z',
      actorId: 'ag-leo',
      actorName: 'Léo Petit',
      data: { from: 'new', to: 'assigned' },
    },
  ])
  answer('request.comments', () => [])
  answer('request.transitions', () => transitions)
  answer('request.citizen', () => ({
    id: 'c1',
    name: 'Camille Durand',
    email: 'camille@example.org',
    phone: null,
    postalAddress: null,
    contactPreference: 'email',
  }))
  answer('queue.counts', () => ({ byStatus: {}, total: 0, overdue: 0 }))
})

afterEach(() => {
  wrapper?.unmount()
  wrapper = null
})

/** Open r1 as `roles`: `request.get` answers with what the core lets that session do on it. */
async function openDetail(roles: Role[] = ['agent'], overrides: Partial<Detail> = {}) {
  const session = sessionFor(roles)
  answer('request.get', () => detailFor(session, overrides))
  wrapper = mountWithApp(RequestDetail, session)
  await useReferenceStore().load()
  await useDetailStore().open('r1')
  await flushPromises()
  return wrapper
}

const alertText = (w: VueWrapper) => w.find('[role="alert"]').text()

describe('request detail', () => {
  it('shows a description with markup as literal text, creating no element from it', async () => {
    const w = await openDetail(['agent'], { description: XSS_DESCRIPTION })
    const description = w.find('.description')
    expect(description.text()).toBe(XSS_DESCRIPTION)
    expect(description.element.children).toHaveLength(0)
    expect(document.querySelector('img')).toBeNull()
    expect(document.querySelector('script')).toBeNull()
  })

  it('shows a title that hides its real order (bidi override) in its real order, and edits it untouched', async () => {
    const title = 'Pièce jointe \u202Egnp.exe'
    const w = await openDetail(['agent'], { title })
    const shownTitle = w.find('#detail-title').text()
    expect(shownTitle).toBe('Pièce jointe \uFFFDgnp.exe')
    expect(shownTitle).not.toMatch(/[\u202A-\u202E\u2066-\u2069]/)
    // What is stored stays as it is: the edit form gets it whole.
    expect(useDetailStore().detail?.title).toBe(title)
  })

  it('folds the blocked transitions into one line under the actions, that opens their reasons in words', async () => {
    const w = await openDetail()
    const toggle = buttonNamed(w, '2 étapes indisponibles — pourquoi ?')
    expect(toggle.attributes('aria-expanded')).toBe('false')
    const list = document.getElementById(toggle.attributes('aria-controls')!)!
    expect(list.style.display).toBe('none')
    // Under the status buttons, and before the request's information.
    const order = [...document.querySelectorAll('[data-transition="start"], #blocked-list, #fields-title')]
    expect(order.map((el) => el.id || 'buttons')).toEqual(['buttons', 'blocked-list', 'fields-title'])

    await toggle.trigger('click')
    expect(toggle.attributes('aria-expanded')).toBe('true')
    expect(list.style.display).toBe('')
    const blocked = w.find('.blocked')
    expect(blocked.text()).toContain('Clore')
    expect(blocked.text()).toContain('Réservé aux rôles : chef d’équipe, superviseur.')
    expect(blocked.text()).toContain('Impossible depuis le statut « Assigné » (possible depuis : Nouveau).')
  })

  it('shows history events in words with who and when', async () => {
    const w = await openDetail()
    expect(w.find('.history').text()).toContain('Statut changé : Nouveau → Assigné')
    expect(w.find('.history').text()).toContain('par Léo Petit')
  })

  it('tells a change the server has not applied as it is: waiting, in conflict, refused with the reason', async () => {
    const base = {
      requestId: 'r1',
      at: '2026-03-02T10:00:00.000Z',
      actorId: 'ag-leo',
      actorName: 'Léo Petit',
    }
    answer('request.history', () => [
      { ...base, id: 1, kind: 'edited', data: {}, sync: { state: 'pending', reason: null } },
      {
        ...base,
        id: 2,
        kind: 'assigned',
        data: { assigneeId: null },
        sync: { state: 'conflict', reason: null },
      },
      {
        ...base,
        id: 3,
        kind: 'transitioned',
        data: { from: 'new', to: 'assigned' },
        sync: { state: 'rejected', reason: 'Cette demande n’existe plus.' },
      },
      { ...base, id: 4, kind: 'transitioned', data: { from: 'assigned', to: 'new' } },
    ])
    const items = (await openDetail()).findAll('.history li').map((li) => li.text())
    expect(items[0]).toContain('en attente d’envoi')
    expect(items[1]).toContain('en conflit')
    expect(items[2]).toContain('refusée : Cette demande n’existe plus.')
    // Applied: nothing more said.
    expect(items[3]).not.toMatch(/attente|conflit|refusée/)
  })

  it('opens an inline form for a transition that needs a reason, then sends the reason', async () => {
    answer('request.transition', () => detailOf({ status: 'rejected', statusKind: 'closed', version: 4 }))
    const w = await openDetail()
    expect(w.find('form.transition-form').exists()).toBe(false)

    await buttonNamed(w, 'Rejeter').trigger('click')
    expect(buttonNamed(w, 'Rejeter').attributes('aria-expanded')).toBe('true')
    const form = w.find('form.transition-form')
    expect(form.attributes('aria-label')).toBe('Rejeter')
    const reason = controlLabelled(w, 'Motif du rejet')
    expect(reason.tagName).toBe('TEXTAREA')

    await w.find(`#${reason.id}`).setValue('Hors du domaine public')
    await form.trigger('submit')
    await flushPromises()

    expect(callsTo('request.transition')).toEqual([
      { id: 'r1', transitionId: 'reject', fields: { reason: 'Hors du domaine public' }, baseVersion: 3 },
    ])
    expect(w.find('form.transition-form').exists()).toBe(false)
    expect(w.find('[role="status"].notice-text').text()).toBe('Statut changé : Rejeté.')
    expect(document.activeElement?.id).toBe('detail-title')
  })

  it('sends a planned date as an instant', async () => {
    answer('request.transition', () => detailOf({ version: 4 }))
    const w = await openDetail()
    await buttonNamed(w, 'Planifier').trigger('click')
    const when = controlLabelled(w, 'Date d’intervention prévue')
    expect(when.getAttribute('type')).toBe('datetime-local')
    await w.find(`#${when.id}`).setValue('2026-03-10T09:30')
    await w.find('form.transition-form').trigger('submit')
    await flushPromises()
    const sent = callsTo('request.transition')[0]!.fields!.scheduledFor!
    expect(new Date(sent).getTime()).toBe(new Date('2026-03-10T09:30').getTime())
  })

  it('says which field is missing instead of sending an empty reason', async () => {
    const w = await openDetail()
    await buttonNamed(w, 'Rejeter').trigger('click')
    await w.find('form.transition-form').trigger('submit')
    expect(alertText(w)).toBe('Renseignez le champ « Motif du rejet » avant de confirmer.')
    expect(callsTo('request.transition')).toEqual([])
  })

  it('shows a version conflict as a sentence beside the form, which stays open', async () => {
    answer('request.transition', () => {
      throw new ApiError('version_conflict', 'stale version')
    })
    const w = await openDetail()
    await buttonNamed(w, 'Rejeter').trigger('click')
    await w.find(`#${controlLabelled(w, 'Motif du rejet').id}`).setValue('Doublon évident')
    await w.find('form.transition-form').trigger('submit')
    await flushPromises()
    expect(w.find('form.transition-form [role="alert"]').text()).toContain(
      'Quelqu’un a modifié cette demande entre-temps',
    )
    expect((document.getElementById('transition-field-reason') as HTMLTextAreaElement).value).toBe(
      'Doublon évident',
    )
  })

  it('fires a transition that needs no field directly', async () => {
    answer('request.transition', () => detailOf({ version: 4 }))
    const w = await openDetail()
    await buttonNamed(w, 'Démarrer').trigger('click')
    await flushPromises()
    expect(callsTo('request.transition')).toEqual([
      { id: 'r1', transitionId: 'start', fields: {}, baseVersion: 3 },
    ])
  })

  describe('citizen contact details on demand', () => {
    const contact = (over: Partial<OutputOf<'request.citizenContact'> & object> = {}) => ({
      id: 'c1',
      name: 'Camille Durand',
      email: 'camille@example.org',
      phone: null,
      postalAddress: null,
      contactPreference: 'email' as const,
      purpose: 'callback' as const,
      deliveredAt: '2026-03-02T10:15:00.000Z',
      offline: false,
      ...over,
    })
    beforeEach(() => {
      answer('request.citizenContact', ({ purpose }) => contact({ purpose }))
      answer('request.releaseCitizen', () => ({}))
    })

    it('loads nothing on opening: the agent sees a button and a labelled purpose list', async () => {
      const w = await openDetail(['agent'])
      expect(w.find('#citizen-title').text()).toBe('Usager')
      expect(w.find('.citizen').text()).not.toContain('Camille Durand')
      expect(callsTo('request.citizenContact')).toEqual([])
      expect(callsTo('request.citizen')).toEqual([])
      const select = controlLabelled(w, 'Finalité de la consultation') as HTMLSelectElement
      expect([...select.options].map((o) => o.text)).toEqual([
        'Choisir une finalité…',
        'Rappeler l’usager',
        'Préparer ou réaliser une intervention',
        'Répondre par écrit',
        'Vérifier l’identité ou un doublon',
      ])
      expect(buttonNamed(w, 'Afficher les coordonnées').attributes('type')).toBe('submit')
    })

    it('asks for a purpose first, then shows the details with the consultation logged', async () => {
      const w = await openDetail(['agent'])
      await buttonNamed(w, 'Afficher les coordonnées').trigger('click')
      await w.find('.citizen form').trigger('submit')
      expect(w.find('.citizen [role="alert"]').text()).toBe(
        'Choisissez la finalité de la consultation avant d’afficher les coordonnées.',
      )
      expect(callsTo('request.citizenContact')).toEqual([])

      await w.find('#citizen-purpose').setValue('intervention')
      await w.find('.citizen form').trigger('submit')
      await flushPromises()
      expect(callsTo('request.citizenContact')).toEqual([{ id: 'r1', purpose: 'intervention' }])
      const block = w.find('.citizen').text()
      expect(block).toContain('Camille Durand')
      expect(block).toContain('camille@example.org')
      expect(block).toContain('Consultation enregistrée : Préparer ou réaliser une intervention')
      expect(block).not.toContain('Hors ligne')
    })

    it('says when the details were read offline from this console', async () => {
      answer('request.citizenContact', ({ purpose }) => contact({ purpose, offline: true }))
      const w = await openDetail(['agent'])
      await w.find('#citizen-purpose').setValue('callback')
      await w.find('.citizen form').trigger('submit')
      await flushPromises()
      expect(w.find('.citizen .badge').text()).toBe('Hors ligne')
      expect(w.find('.citizen').text()).toContain('la consultation sera transmise au serveur')
    })

    it('« Masquer » and closing the request let the core forget the details', async () => {
      const w = await openDetail(['agent'])
      await w.find('#citizen-purpose').setValue('callback')
      await w.find('.citizen form').trigger('submit')
      await flushPromises()
      await buttonNamed(w, 'Masquer').trigger('click')
      await flushPromises()
      expect(callsTo('request.releaseCitizen')).toEqual([{ id: 'r1' }])
      expect(w.find('.citizen').text()).not.toContain('Camille Durand')
      // The same request may be looked at again for the same purpose.
      expect((document.getElementById('citizen-purpose') as HTMLSelectElement).value).toBe('callback')

      await w.find('.citizen form').trigger('submit')
      await flushPromises()
      useDetailStore().close()
      await flushPromises()
      expect(callsTo('request.releaseCitizen')).toEqual([{ id: 'r1' }, { id: 'r1' }])
    })

    it('releases nothing for a request whose details were never asked for', async () => {
      await openDetail(['agent'])
      useDetailStore().close()
      await flushPromises()
      expect(callsTo('request.releaseCitizen')).toEqual([])
    })

    it('tells a technician why there is no button, and never asks', async () => {
      const w = await openDetail(['technician'])
      expect(w.find('.citizen').text()).toContain(
        'Votre rôle (agent de terrain) ne donne pas accès aux coordonnées des usagers.',
      )
      expect(w.find('.citizen button').exists()).toBe(false)
      expect(w.text()).not.toContain('Camille Durand')
      expect(callsTo('request.citizenContact')).toEqual([])
    })

    it('follows what the core says of the request over the role list', async () => {
      // The authority's policy gives contact details to the field staff, not to the agents.
      const policy = { citizenDataRoles: ['technician' as Role] }
      const agent = sessionFor(['agent'])
      answer('request.get', () => detailFor(agent, {}, policy))
      wrapper = mountWithApp(RequestDetail, agent)
      await useReferenceStore().load()
      await useDetailStore().open('r1')
      await flushPromises()
      expect(wrapper.find('.citizen').text()).toContain('ne donne pas accès aux coordonnées')
      wrapper.unmount()

      const technician = sessionFor(['technician'])
      answer('request.get', () => detailFor(technician, {}, policy))
      wrapper = mountWithApp(RequestDetail, technician)
      await useReferenceStore().load()
      await useDetailStore().open('r1')
      await flushPromises()
      expect(buttonNamed(wrapper, 'Afficher les coordonnées').exists()).toBe(true)
    })

    it('says the request is anonymous when it has no citizen', async () => {
      const w = await openDetail(['agent'], { hasCitizen: false })
      expect(w.find('.citizen').text()).toContain('Demande anonyme')
      expect(w.find('.citizen button').exists()).toBe(false)
    })

    it('says the details are not accessible when the core refuses them', async () => {
      answer('request.citizenContact', () => {
        throw new ApiError('forbidden', 'no')
      })
      const w = await openDetail(['agent'])
      await w.find('#citizen-purpose').setValue('callback')
      await w.find('.citizen form').trigger('submit')
      await flushPromises()
      expect(w.find('.citizen [role="alert"]').text()).toBe('Coordonnées non accessibles pour votre rôle')
    })

    it('says offline details are only those of the agent’s own open requests', async () => {
      answer('request.citizenContact', () => {
        throw new ApiError('server_unavailable', 'offline')
      })
      const w = await openDetail(['agent'])
      await w.find('#citizen-purpose').setValue('callback')
      await w.find('.citizen form').trigger('submit')
      await flushPromises()
      expect(w.find('.citizen [role="alert"]').text()).toContain('Coordonnées indisponibles hors connexion')
    })
  })

  it('lets a lead assign to an agent of the request’s team', async () => {
    answer('request.assign', ({ assigneeId }) => detailOf({ assigneeId, version: 4 }))
    const w = await openDetail(['lead'])
    const select = controlLabelled(w, 'Agent assigné') as HTMLSelectElement
    expect([...select.options].map((o) => o.text)).toEqual([
      'Personne (non assignée)',
      'Zoé Martin',
      'Léo Petit',
    ])
    await w.find(`#${select.id}`).setValue('ag-leo')
    expect(buttonNamed(w, 'Assigner').attributes('type')).toBe('submit')
    await w.find('section.assign form').trigger('submit')
    await flushPromises()
    expect(callsTo('request.assign').at(-1)).toEqual({ id: 'r1', assigneeId: 'ag-leo', baseVersion: 3 })
  })

  it('offers no assignment to an agent', async () => {
    const w = await openDetail(['agent'])
    expect(w.find('section.assign').exists()).toBe(false)
  })

  it('adds an internal note', async () => {
    const stored: Comment[] = []
    answer('request.comments', () => stored)
    answer('request.comment', (input) => {
      const comment: Comment = {
        id: 'cm1',
        requestId: 'r1',
        kind: input.kind,
        body: input.body,
        authorId: 'ag-zoe',
        authorName: 'Zoé Martin',
        createdAt: '2026-03-02T11:00:00.000Z',
      }
      stored.push(comment)
      return comment
    })
    answer('queue.list', () => ({ rows: [], nextCursor: null }))
    const w = await openDetail()
    await w.find(`#${controlLabelled(w, 'Commentaire').id}`).setValue('Vu avec le service.')
    await w.find('section.comments form').trigger('submit')
    await flushPromises()
    expect(callsTo('request.comment')).toEqual([{ id: 'r1', kind: 'internal', body: 'Vu avec le service.' }])
    expect(w.find('section.comments li').text()).toContain('Note interne · Zoé Martin')
    expect(w.find('section.comments li').text()).toContain('Vu avec le service.')
    expect((document.getElementById('comment-body') as HTMLTextAreaElement).value).toBe('')
  })
})
