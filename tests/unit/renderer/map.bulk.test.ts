import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { defineComponent, h, ref } from 'vue'
import type { BulkOutcome } from '../../../src/shared/contract'
import type { Role } from '../../../src/shared/domain'
import { ApiError } from '../../../src/renderer/apiError'
import BulkActions from '../../../src/renderer/components/map/BulkActions.vue'
import { useReferenceStore } from '../../../src/renderer/stores/reference'
import { answer, callsTo, resetFakeApi } from './support/fakeApi'
import { reference, sessionFor, transitions } from './support/fixtures'
import { buttonNamed, controlLabelled, mountWithApp } from './support/mount'

vi.mock('../../../src/renderer/api', () => import('./support/fakeApi'))

const withTechnician = {
  ...reference,
  agents: [
    ...reference.agents,
    {
      id: 'ag-tom',
      login: 'tom',
      displayName: 'Tom Lallemand',
      roles: ['technician' as const],
      teamIds: ['team-roads'],
    },
  ],
}

const IDS = ['r1', 'r2', 'r3']
let wrapper: VueWrapper | null = null
let ids = ref<string[]>(IDS)
let outcomes: BulkOutcome[] = []

beforeEach(() => {
  resetFakeApi()
  ids = ref<string[]>(IDS)
  outcomes = []
  answer('reference.get', () => withTechnician)
  answer('requests.commonTransitions', () => transitions.allowed)
})

afterEach(() => {
  wrapper?.unmount()
  wrapper = null
})

async function mountBulk(roles: Role[] = ['lead']) {
  const Host = defineComponent({
    setup: () => () =>
      h(BulkActions, {
        ids: ids.value,
        teamIds: ['team-roads'],
        onDone: (outcome: BulkOutcome) => outcomes.push(outcome),
      }),
  })
  wrapper = mountWithApp(Host, sessionFor(roles))
  await useReferenceStore().load()
  await flushPromises()
  return wrapper
}

/** Choose the option a user reads as `text` in the select labelled `label`. */
async function choose(w: VueWrapper, label: string, text: string) {
  const select = controlLabelled(w, label)
  const option = [...select.querySelectorAll('option')].find((o) => o.textContent?.trim() === text)
  if (!option) throw new Error(`no option "${text}" in "${label}"`)
  option.selected = true
  await w.find(`#${select.id}`).trigger('change')
}

const statusText = (w: VueWrapper) => w.find('[role="status"]').text()
const alerts = (w: VueWrapper) => w.findAll('[role="alert"]').map((a) => a.text())

describe('bulk actions on a selection', () => {
  it('assigns every selected request after confirmation and lists the refused ones in words', async () => {
    answer('requests.bulkAssign', () => ({
      done: ['r1', 'r2'],
      refused: [
        {
          id: 'r3',
          reference: 'GRC-2026-000003',
          code: 'forbidden',
          reason: 'La demande relève d’une autre équipe.',
        },
      ],
    }))
    const w = await mountBulk()

    const select = controlLabelled(w, 'Assigner à') as HTMLSelectElement
    const groups = [...select.querySelectorAll('optgroup')].map((g) => [
      g.label,
      [...g.querySelectorAll('option')].map((o) => o.textContent),
    ])
    // Agents of the selection's team only (Ana Roux is in another team), technicians apart.
    expect(groups).toEqual([
      ['Agents', ['Zoé Martin', 'Léo Petit']],
      ['Techniciens de terrain', ['Tom Lallemand']],
    ])

    await choose(w, 'Assigner à', 'Tom Lallemand')
    await buttonNamed(w, 'Assigner les demandes').trigger('click')
    await flushPromises()
    expect(w.find('[role="group"]').text()).toContain('Confirmer : assigner 3 demandes à Tom Lallemand ?')
    expect(document.activeElement?.textContent?.trim()).toBe('Confirmer')
    expect(callsTo('requests.bulkAssign')).toEqual([])

    await buttonNamed(w, 'Confirmer').trigger('click')
    await flushPromises()

    expect(callsTo('requests.bulkAssign')).toEqual([{ ids: IDS, assigneeId: 'ag-tom' }])
    expect(statusText(w)).toContain('2 demandes assignées à Tom Lallemand')
    expect(statusText(w)).toContain('1 demande refusée :')
    expect(w.find('ul.refused').attributes('aria-label')).toBe('Demandes refusées et motif')
    expect(w.find('ul.refused').text()).toBe(
      'GRC-2026-000003 : Votre rôle ne permet pas cette action. Détail : La demande relève d’une autre équipe.',
    )
    expect(w.find('[role="group"]').exists()).toBe(false)
    expect(outcomes).toHaveLength(1)
    expect(outcomes[0]!.done).toEqual(['r1', 'r2'])
  })

  it('sends nothing when the confirmation is cancelled', async () => {
    answer('requests.bulkAssign', () => ({ done: IDS, refused: [] }))
    const w = await mountBulk()
    await choose(w, 'Assigner à', 'Léo Petit')
    await buttonNamed(w, 'Assigner les demandes').trigger('click')
    await flushPromises()
    expect(w.find('[role="group"]').exists()).toBe(true)

    await buttonNamed(w, 'Annuler').trigger('click')
    await flushPromises()

    expect(w.find('[role="group"]').exists()).toBe(false)
    expect(callsTo('requests.bulkAssign')).toEqual([])
    expect(outcomes).toEqual([])
    expect(document.activeElement?.textContent?.trim()).toBe('Assigner les demandes')
  })

  it('unassigns with “Personne”, and asks who first when nobody was chosen', async () => {
    answer('requests.bulkAssign', () => ({ done: IDS, refused: [] }))
    const w = await mountBulk(['supervisor'])
    await buttonNamed(w, 'Assigner les demandes').trigger('click')
    expect(alerts(w)).toContain('Choisissez à qui assigner les demandes avant de valider.')
    expect(w.find('[role="group"]').exists()).toBe(false)

    await choose(w, 'Assigner à', 'Personne (retirer l’assignation)')
    await buttonNamed(w, 'Assigner les demandes').trigger('click')
    await flushPromises()
    expect(w.find('[role="group"]').text()).toContain('Confirmer : retirer l’assignation de 3 demandes ?')
    await buttonNamed(w, 'Confirmer').trigger('click')
    await flushPromises()

    expect(callsTo('requests.bulkAssign')).toEqual([{ ids: IDS, assigneeId: null }])
    expect(statusText(w)).toBe('Assignation retirée pour 3 demandes')
    expect(w.find('ul.refused').exists()).toBe(false)
  })

  it('offers no assignment to a plain agent', async () => {
    const w = await mountBulk(['agent'])
    expect(w.findAll('label').some((l) => l.text() === 'Assigner à')).toBe(false)
    expect(controlLabelled(w, 'Changement de statut')).toBeTruthy()
  })

  it('lists the transitions common to the selection and reloads them when the selection changes', async () => {
    const w = await mountBulk()
    expect(callsTo('requests.commonTransitions')).toEqual([{ ids: IDS }])
    const select = controlLabelled(w, 'Changement de statut') as HTMLSelectElement
    expect([...select.options].map((o) => o.text)).toEqual([
      'Choisir un changement…',
      'Planifier',
      'Rejeter',
      'Démarrer',
    ])

    answer('requests.commonTransitions', () => [])
    ids.value = ['r1', 'r4']
    await flushPromises()

    expect(callsTo('requests.commonTransitions').at(-1)).toEqual({ ids: ['r1', 'r4'] })
    expect(w.findAll('label').some((l) => l.text() === 'Changement de statut')).toBe(false)
    expect(w.text()).toContain(
      'Aucun changement de statut n’est possible pour toutes ces demandes à la fois : affinez la sélection.',
    )
  })

  it('does not fire a transition before its required field is filled, then sends the field', async () => {
    answer('requests.bulkTransition', () => ({ done: IDS, refused: [] }))
    const w = await mountBulk()
    await choose(w, 'Changement de statut', 'Rejeter')
    const reason = controlLabelled(w, 'Motif du rejet')
    expect(reason.tagName).toBe('TEXTAREA')

    await buttonNamed(w, 'Appliquer aux demandes').trigger('click')
    await flushPromises()
    expect(alerts(w)).toContain('Renseignez le champ « Motif du rejet » avant de valider.')
    expect(document.activeElement).toBe(reason)
    expect(w.find('[role="group"]').exists()).toBe(false)

    await w.find(`#${reason.id}`).setValue('  Hors du domaine public ')
    await buttonNamed(w, 'Appliquer aux demandes').trigger('click')
    await flushPromises()
    expect(w.find('[role="group"]').text()).toContain('Confirmer : « Rejeter » pour 3 demandes ?')
    expect(callsTo('requests.bulkTransition')).toEqual([])

    await buttonNamed(w, 'Confirmer').trigger('click')
    await flushPromises()

    expect(callsTo('requests.bulkTransition')).toEqual([
      { ids: IDS, transitionId: 'reject', fields: { reason: 'Hors du domaine public' } },
    ])
    expect(statusText(w)).toBe('Statut changé pour 3 demandes : Rejeter')
    // What the requests allow changed: asked again.
    expect(callsTo('requests.commonTransitions')).toHaveLength(2)
  })

  it('disables the buttons while an action runs', async () => {
    let finish: (outcome: BulkOutcome) => void = () => {}
    answer('requests.bulkTransition', () => new Promise<BulkOutcome>((resolve) => (finish = resolve)))
    const w = await mountBulk()
    await choose(w, 'Changement de statut', 'Démarrer')
    await buttonNamed(w, 'Appliquer aux demandes').trigger('click')
    await flushPromises()
    await buttonNamed(w, 'Confirmer').trigger('click')
    await flushPromises()

    expect(statusText(w)).toBe('Traitement de 3 demandes en cours…')
    expect(buttonNamed(w, 'Appliquer aux demandes').attributes('disabled')).toBeDefined()
    expect(buttonNamed(w, 'Assigner les demandes').attributes('disabled')).toBeDefined()

    finish({ done: ['r1'], refused: [] })
    await flushPromises()
    expect(buttonNamed(w, 'Appliquer aux demandes').attributes('disabled')).toBeUndefined()
    expect(statusText(w)).toBe('Statut changé pour 1 demande : Démarrer')
  })

  it('shows a refusal of the whole action in words', async () => {
    answer('requests.bulkAssign', () => {
      throw new ApiError('forbidden', 'not allowed')
    })
    const w = await mountBulk()
    await choose(w, 'Assigner à', 'Zoé Martin')
    await buttonNamed(w, 'Assigner les demandes').trigger('click')
    await flushPromises()
    await buttonNamed(w, 'Confirmer').trigger('click')
    await flushPromises()

    expect(alerts(w)).toContain('Votre rôle ne permet pas cette action.')
    expect(outcomes).toEqual([])
    expect(statusText(w)).toBe('')
  })

  it('says in words when the common transitions cannot be loaded', async () => {
    answer('requests.commonTransitions', () => {
      throw new ApiError('network', 'down', undefined, 'renderer')
    })
    const w = await mountBulk()
    expect(alerts(w)).toContain(
      'Le cœur de la console ne répond pas : vérifiez qu’il est lancé, puis réessayez.',
    )
  })
})
