/**
 * The detail pane follows the core: each control is there only when `RequestDetail.actions`
 * (decided by the core's own function) allows it; the two assignment steps say how they
 * differ; a field a transition refused is marked invalid and described by the message.
 */
import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { RequestDetail as Detail, Role, TransitionAvailability } from '../../../src/shared/domain'
import { ApiError } from '../../../src/renderer/apiError'
import RequestDetail from '../../../src/renderer/components/RequestDetail.vue'
import { useDetailStore } from '../../../src/renderer/stores/detail'
import { useReferenceStore } from '../../../src/renderer/stores/reference'
import { answer, callsTo, resetFakeApi } from './support/fakeApi'
import { detailFor, reference, sessionFor, transitions } from './support/fixtures'
import { accessibleName, buttonNamed, controlLabelled, mountWithApp } from './support/mount'

vi.mock('../../../src/renderer/api', () => import('./support/fakeApi'))

let wrapper: VueWrapper | null = null

/** What the workflow answers a role that may move nothing: every step blocked by its role. */
const nothingAllowed: TransitionAvailability = {
  allowed: [],
  blocked: [...transitions.allowed, ...transitions.blocked].map((option) => ({
    ...option,
    reasons: [{ code: 'role' as const, roles: ['agent' as Role, 'lead' as Role] }],
  })),
}

/** The intervention workflow's hand-over step, allowed (a lead on a qualified request with an assignee). */
const handOver: TransitionAvailability = {
  allowed: [
    {
      id: 'assign',
      label: { fr: 'Confier à l’agent assigné', en: 'Hand over to the assignee' },
      to: 'assigned',
      requires: [],
    },
  ],
  blocked: transitions.blocked,
}

beforeEach(() => {
  resetFakeApi()
  answer('reference.get', () => reference)
  answer('request.history', () => [])
  answer('request.comments', () => [])
  answer('queue.counts', () => ({ byStatus: {}, total: 0, overdue: 0 }))
})

afterEach(() => {
  wrapper?.unmount()
  wrapper = null
})

async function openAs(
  roles: Role[],
  options: { overrides?: Partial<Detail>; transitions?: TransitionAvailability } = {},
) {
  const session = sessionFor(roles, roles.includes('dpo') ? [] : ['team-roads'])
  const availability = options.transitions ?? transitions
  answer('request.transitions', () => availability)
  answer('request.get', () => detailFor(session, options.overrides, { transitions: availability }))
  wrapper = mountWithApp(RequestDetail, session)
  await useReferenceStore().load()
  await useDetailStore().open('r1')
  await flushPromises()
  return wrapper
}

const buttonNames = (w: VueWrapper) => w.findAll('button').map((b) => accessibleName(b.element))

describe('the detail pane shows what the core allows', () => {
  it('gives the DPO no « Modifier », no comment form, no assignment, no status button: she reads', async () => {
    const w = await openAs(['dpo'], { transitions: nothingAllowed })
    const names = buttonNames(w)
    expect(names).not.toContain('Modifier')
    expect(names).not.toContain('Ajouter le commentaire')
    expect(names).not.toContain('Assigner')
    expect(w.find('section.comments form').exists()).toBe(false)
    expect(w.find('#comment-body').exists()).toBe(false)
    expect(w.find('section.assign').exists()).toBe(false)
    expect(w.find('[data-transition]').exists()).toBe(false)
    // One sentence says why, instead of eleven steps she may never take.
    expect(w.find('section.transitions').text()).toContain(
      'Lecture seule : votre rôle ne permet pas de modifier les demandes.',
    )
    expect(w.find('.blocked').exists()).toBe(false)
    // What she may do is still there: read the request, its notes, its citizen on demand.
    expect(w.find('#detail-title').text()).toBe('Nid-de-poule n°1')
    expect(w.find('section.comments').exists()).toBe(true)
    expect(names).toContain('Afficher les coordonnées')
  })

  it('gives an agent on her own request « Modifier » and the comment form with both kinds, not the assignment', async () => {
    const w = await openAs(['agent'])
    expect(buttonNamed(w, 'Modifier').exists()).toBe(true)
    expect(buttonNamed(w, 'Ajouter le commentaire').exists()).toBe(true)
    expect(w.findAll('input[name="comment-kind"]').map((i) => (i.element as HTMLInputElement).value)).toEqual(
      ['internal', 'public'],
    )
    expect(w.find('section.assign').exists()).toBe(false)
    expect(w.find('[data-transition="start"]').exists()).toBe(true)
  })

  it('offers only the kind of message the core allows', async () => {
    const session = sessionFor(['agent'])
    const detail = detailFor(session)
    answer('request.transitions', () => transitions)
    answer('request.get', () => ({
      ...detail,
      actions: {
        ...detail.actions!,
        commentPublic: { allowed: false, refusal: 'role', reason: 'Réservé aux chefs d’équipe.' },
      },
    }))
    wrapper = mountWithApp(RequestDetail, session)
    await useReferenceStore().load()
    await useDetailStore().open('r1')
    await flushPromises()
    const kinds = wrapper.findAll('input[name="comment-kind"]')
    expect(kinds.map((i) => (i.element as HTMLInputElement).value)).toEqual(['internal'])
    expect((kinds[0]!.element as HTMLInputElement).checked).toBe(true)
  })

  it('offers nothing the core has not said about (a detail without actions)', async () => {
    const session = sessionFor(['lead'])
    answer('request.transitions', () => transitions)
    answer('request.get', () => ({ ...detailFor(session), actions: undefined }))
    wrapper = mountWithApp(RequestDetail, session)
    await useReferenceStore().load()
    await useDetailStore().open('r1')
    await flushPromises()
    expect(buttonNames(wrapper)).not.toContain('Modifier')
    expect(wrapper.find('section.assign').exists()).toBe(false)
    expect(wrapper.find('section.comments form').exists()).toBe(false)
  })

  it('says « Aucun changement de statut » when none is possible now, with the steps folded under it', async () => {
    const w = await openAs(['technician'], { transitions: { allowed: [], blocked: transitions.blocked } })
    expect(w.find('section.transitions').text()).toContain(
      'Aucun changement de statut possible pour vous sur cette demande.',
    )
    expect(buttonNamed(w, '2 étapes indisponibles — pourquoi ?').attributes('aria-expanded')).toBe('false')
    // A technician still notes what he did.
    expect(buttonNamed(w, 'Ajouter le commentaire').exists()).toBe(true)
  })
})

describe('« Assigner » and « Confier à l’agent assigné » say how they differ', () => {
  it('explains each on screen, tied to its button', async () => {
    const w = await openAs(['lead'], { overrides: { status: 'qualified' }, transitions: handOver })
    const assign = buttonNamed(w, 'Assigner')
    const assignHint = document.getElementById(assign.attributes('aria-describedby')!)!
    expect(assignHint.textContent).toContain('Choisit qui traitera la demande ; son statut ne change pas.')
    expect(assignHint.textContent).toContain(
      'Ensuite, « Confier à l’agent assigné » la lui confie (statut « Assigné »).',
    )

    const confier = buttonNamed(w, 'Confier à l’agent assigné')
    const confierHint = document.getElementById(confier.attributes('aria-describedby')!)!
    expect(confierHint.textContent).toContain('Fait passer la demande au statut « Assigné »')
    // Visible text, not a tooltip.
    expect(confier.attributes('title')).toBeUndefined()
    expect(w.find('section.transitions').text()).toContain('la personne choisie dans « Assignation »')
  })

  it('adds no hand-over sentence where the workflow has no such step', async () => {
    const w = await openAs(['lead'])
    expect(w.find('#assign-hint').text()).toBe('Choisit qui traitera la demande ; son statut ne change pas.')
  })
})

describe('fields a transition refused', () => {
  const field = () => document.getElementById('transition-field-reason')!

  it('are marked invalid and described by the message when found empty', async () => {
    const w = await openAs(['agent'])
    await buttonNamed(w, 'Rejeter').trigger('click')
    expect(field().getAttribute('aria-invalid')).toBeNull()
    await w.find('form.transition-form').trigger('submit')
    expect(field().getAttribute('aria-invalid')).toBe('true')
    const message = document.getElementById(field().getAttribute('aria-describedby')!)!
    expect(message.getAttribute('role')).toBe('alert')
    expect(message.textContent).toContain('Renseignez le champ « Motif du rejet »')
    expect(controlLabelled(w, 'Motif du rejet')).toBe(field())
  })

  it('are marked invalid when the core names them in its refusal', async () => {
    answer('request.transition', () => {
      throw new ApiError('transition_refused', 'Cette étape ne peut pas être franchie maintenant.', {
        reasons: [{ code: 'missing_field', field: 'reason' }],
      })
    })
    const w = await openAs(['agent'])
    await buttonNamed(w, 'Rejeter').trigger('click')
    await w.find(`#${field().id}`).setValue('   x')
    await w.find('form.transition-form').trigger('submit')
    await flushPromises()
    expect(callsTo('request.transition')).toHaveLength(1)
    expect(field().getAttribute('aria-invalid')).toBe('true')
    expect(document.getElementById(field().getAttribute('aria-describedby')!)?.textContent).toContain(
      'Cette étape ne peut pas être franchie maintenant.',
    )
  })

  it('are marked invalid when the input check names them, and not otherwise', async () => {
    answer('request.transition', () => {
      throw new ApiError('invalid_input', 'Données invalides — fields.reason : trop long', {
        issues: [{ path: 'fields.reason', message: 'trop long' }],
      })
    })
    const w = await openAs(['agent'])
    await buttonNamed(w, 'Rejeter').trigger('click')
    await w.find(`#${field().id}`).setValue('Hors du domaine public')
    await w.find('form.transition-form').trigger('submit')
    await flushPromises()
    expect(field().getAttribute('aria-invalid')).toBe('true')

    answer('request.transition', () => {
      throw new ApiError('version_conflict', 'stale')
    })
    await w.find('form.transition-form').trigger('submit')
    await flushPromises()
    expect(field().getAttribute('aria-invalid')).toBeNull()
    expect(field().getAttribute('aria-describedby')).toBeNull()
  })
})
