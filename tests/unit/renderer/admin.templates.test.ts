/**
 * The « Modèles de réponse » tab of the Administration screen (issue 14) against a fake
 * core: pick a category and an event, insert placeholders where the caret is, see unknown
 * ones flagged before saving, read the preview with sample values and the SMS length, save
 * once, keep the draft when someone saved first, go back to the default.
 */
import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { AdminItem } from '../../../src/shared/adminReference'
import type { NoticeTemplates, NoticeTemplateSlot } from '../../../src/shared/channels/noticeTemplates'
import { PLACEHOLDERS } from '../../../src/shared/noticeTemplates'
import { ApiError } from '../../../src/renderer/apiError'
import AdminView from '../../../src/renderer/views/AdminView.vue'
import { answer, callsTo, resetFakeApi } from './support/fakeApi'
import { sessionFor } from './support/fixtures'
import { allByRole, buttonNamed, byRole, controlLabelled, mountWithApp } from './support/mount'

vi.mock('../../../src/renderer/api', () => import('./support/fakeApi'))

const reference: AdminItem[] = [
  { kind: 'team', id: 'voirie', version: 0, data: { id: 'voirie', code: 'voirie', name: 'Voirie Nord' } },
  {
    kind: 'category',
    id: 'chaussee',
    version: 0,
    data: {
      id: 'chaussee',
      code: 'chaussee',
      name: { fr: 'Chaussée abîmée', en: 'Damaged road' },
      workflowId: 'intervention',
      defaultTeamId: 'voirie',
      slaBusinessHours: 72,
      requiresLocation: true,
      subcategories: [],
    },
  },
  {
    kind: 'category',
    id: 'cantines',
    version: 0,
    data: {
      id: 'cantines',
      code: 'cantines',
      name: { fr: 'Restauration scolaire', en: 'School catering' },
      workflowId: 'information',
      defaultTeamId: 'voirie',
      slaBusinessHours: 72,
      requiresLocation: false,
      subcategories: [],
    },
  },
]

const general: NoticeTemplateSlot = {
  categoryId: '*',
  event: 'public_reply',
  subject: 'Votre demande {reference} : réponse du service {service}',
  body: 'Bonjour,\n\nVotre demande {reference} du {date_demande} ({categorie}) a reçu une réponse :\n\n{message}',
  sms: 'Demande {reference} : {message}',
  source: 'default',
  inheritedFrom: null,
  version: 0,
  updatedAt: null,
  updatedBy: null,
}
const inherited = (categoryId: string, event = 'public_reply'): NoticeTemplateSlot => ({
  ...general,
  categoryId,
  event,
  source: 'inherited',
  inheritedFrom: { categoryId: '*', event: 'public_reply' },
})

let wrapper: VueWrapper | null = null
let templates: NoticeTemplates

const placeholders = (allowAgentName: boolean) =>
  Object.entries(PLACEHOLDERS)
    .filter(([name]) => allowAgentName || name !== 'agent')
    .map(([name, meaning]) => ({ name, meaning }))

beforeEach(() => {
  resetFakeApi()
  templates = {
    slots: [
      general,
      { ...general, event: 'transition:reject', subject: 'Demande {reference} non retenue' },
      inherited('chaussee'),
      inherited('chaussee', 'transition:reject'),
      inherited('cantines'),
    ],
    placeholders: placeholders(false),
    allowAgentName: false,
    transitionLabels: { 'transition:reject': { fr: 'Rejeter', en: 'Reject' } },
  }
  answer('admin.reference.list', () => ({ items: reference, workflows: [] }))
  answer('admin.noticeTemplates', () => templates)
})

afterEach(() => {
  wrapper?.unmount()
  wrapper = null
})

const squash = (text: string | null | undefined) => (text ?? '').replace(/\s+/g, ' ').trim()
const preview = (part: 'subject' | 'body' | 'sms') =>
  document.querySelector(`[data-preview="${part}"]`)?.textContent ?? ''

async function openTemplates() {
  wrapper = mountWithApp(AdminView, sessionFor(['admin'], []))
  await flushPromises()
  byRole('tab', 'Modèles de réponse').click()
  await flushPromises()
  return wrapper
}

async function choose(w: VueWrapper, label: string, value: string) {
  const select = controlLabelled(w, label) as HTMLSelectElement
  select.value = value
  select.dispatchEvent(new Event('change'))
  await flushPromises()
}

async function type(el: HTMLElement, text: string) {
  const field = el as HTMLInputElement | HTMLTextAreaElement
  field.value = text
  field.dispatchEvent(new Event('input'))
  await flushPromises()
}

describe('reply templates in the Administration screen', () => {
  it('lists the general template and each category, narrowed by what is typed, with the events they notify', async () => {
    const w = await openTemplates()
    const category = controlLabelled(w, 'Catégorie') as HTMLSelectElement
    expect([...category.options].map((o) => o.text)).toEqual([
      'Toutes les catégories (modèle général)',
      'Chaussée abîmée',
      'Restauration scolaire',
    ])
    await type(controlLabelled(w, 'Chercher une catégorie'), 'chaussee')
    expect([...category.options].map((o) => o.text)).toEqual([
      'Toutes les catégories (modèle général)',
      'Chaussée abîmée',
    ])
    await choose(w, 'Catégorie', 'chaussee')
    const event = controlLabelled(w, 'Événement') as HTMLSelectElement
    expect([...event.options].map((o) => o.text)).toEqual([
      'Réponse publique',
      'Changement de statut : Rejeter',
    ])
    expect(squash(document.querySelector('[data-testid="template-source"]')?.textContent)).toBe(
      'Pas de modèle propre : le texte en vigueur est celui de « Toutes les catégories (modèle général) — Réponse publique ». ' +
        'L’enregistrer crée le modèle de cette catégorie.',
    )
    // No reset for a text the server does not hold.
    expect(allByRole(document.body, 'button', 'Revenir au modèle par défaut')).toEqual([])
  })

  it('previews the text with sample values: reference, category, service, French dates; never an agent', async () => {
    const w = await openTemplates()
    await choose(w, 'Catégorie', 'chaussee')
    expect(preview('subject')).toBe('Votre demande GRC-2026-000123 : réponse du service Voirie Nord')
    expect(preview('body')).toMatch(
      /^Bonjour,\n\nVotre demande GRC-2026-000123 du \d{1,2} (janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre) \d{4} \(Chaussée abîmée\) a reçu une réponse :\n\n\S/,
    )
    expect(preview('body')).not.toMatch(/\{[a-z_]+\}/)
    // `{agent}` is not offered, and typed anyway it is flagged, never filled.
    expect(allByRole(document.body, 'button').map((b) => b.textContent?.trim())).not.toContain('{agent}')
    await type(controlLabelled(w, 'Texte du SMS'), 'Demande {reference}, {agent}')
    expect(preview('sms')).toBe('Demande GRC-2026-000123, ')
    expect(squash(document.getElementById('template-sms-problems')?.textContent)).toBe(
      '{agent} dans le SMS : le nom de l’agent n’est jamais envoyé à l’usager, la configuration du serveur ne le permet pas.',
    )
  })

  it('inserts a placeholder where the caret is, in the last field used, and gives the focus back', async () => {
    const w = await openTemplates()
    const body = controlLabelled(w, 'Texte du courriel') as HTMLTextAreaElement
    await type(body, 'Bonjour, suite à votre demande.')
    body.focus()
    body.setSelectionRange(8, 8)
    byRole('button', `Insérer {reference} : ${PLACEHOLDERS.reference}`).click()
    await flushPromises()
    expect(body.value).toBe('Bonjour,{reference} suite à votre demande.')
    expect(document.activeElement).toBe(body)
    expect(body.selectionStart).toBe(8 + '{reference}'.length)

    // A selection is replaced; the subject, once used, is where the next chip goes.
    const subject = controlLabelled(w, 'Objet du courriel') as HTMLInputElement
    await type(subject, 'Demande XXX traitée')
    subject.focus()
    subject.setSelectionRange(8, 11)
    byRole('button', `Insérer {service} : ${PLACEHOLDERS.service}`).click()
    await flushPromises()
    expect(subject.value).toBe('Demande {service} traitée')
    expect(preview('subject')).toBe('Demande Voirie traitée')
  })

  it('flags an unknown placeholder before saving and does not let it be saved', async () => {
    const w = await openTemplates()
    const subject = controlLabelled(w, 'Objet du courriel')
    await type(subject, 'Bonjour {prenom}, votre demande {reference}')
    expect(subject.getAttribute('aria-invalid')).toBe('true')
    expect(squash(document.getElementById('template-subject-problems')?.textContent)).toBe(
      'Variable inconnue dans l’objet : {prenom}. Le serveur refuserait ce modèle.',
    )
    expect(subject.getAttribute('aria-describedby')).toContain('template-subject-problems')
    const save = buttonNamed(w, 'Enregistrer le modèle')
    expect(save.attributes('disabled')).toBeDefined()
    await save.trigger('submit')
    await w.find('form[aria-label="Texte du modèle"]').trigger('submit')
    expect(callsTo('admin.saveNoticeTemplate')).toEqual([])
  })

  it('counts the SMS as operators do: 160 GSM characters, 70 once a character needs Unicode', async () => {
    const w = await openTemplates()
    const sms = controlLabelled(w, 'Texte du SMS')
    // « € » is in GSM's extension table: two characters' room.
    await type(sms, 'Demande {reference} traitée : 5 €.')
    expect('Demande GRC-2026-000123 traitée : 5 €.'.length).toBe(38)
    expect(squash(document.getElementById('template-sms-length')?.textContent)).toBe(
      '39 caractères avec les valeurs d’exemple — 1 SMS (alphabet GSM : 160 caractères pour un SMS, 153 par partie au-delà)',
    )
    await type(sms, `${'a'.repeat(60)} cœur`)
    expect(squash(document.getElementById('template-sms-length')?.textContent)).toBe(
      '65 caractères avec les valeurs d’exemple — 1 SMS (Unicode à cause de « œ » : 70 caractères pour un SMS, 67 par partie au-delà)',
    )
    await type(sms, `${'a'.repeat(70)} cœur`)
    expect(document.getElementById('template-sms-length')?.textContent).toContain('2 SMS')
  })

  it('saves once with the version edited; the tab then says the server holds version 1', async () => {
    answer('admin.saveNoticeTemplate', (input) => {
      const saved: NoticeTemplateSlot = {
        ...inherited(input.categoryId),
        subject: input.subject,
        body: input.body,
        sms: input.sms!,
        source: 'server',
        inheritedFrom: null,
        version: input.baseVersion + 1,
        updatedAt: '2026-03-05T10:00:00.000Z',
        updatedBy: 'Alex Mathieu',
      }
      templates = {
        ...templates,
        slots: templates.slots.map((s) =>
          s.categoryId === 'chaussee' && s.event === input.event ? saved : s,
        ),
      }
      return templates
    })
    const w = await openTemplates()
    await choose(w, 'Catégorie', 'chaussee')
    await type(controlLabelled(w, 'Objet du courriel'), 'Voirie — {reference}')
    await buttonNamed(w, 'Enregistrer le modèle').trigger('click')
    await flushPromises()
    expect(callsTo('admin.saveNoticeTemplate')).toEqual([
      {
        categoryId: 'chaussee',
        event: 'public_reply',
        subject: 'Voirie — {reference}',
        body: general.body,
        sms: general.sms,
        baseVersion: 0,
      },
    ])
    expect(squash(byRole('status', undefined, document.querySelector('.edit')!).textContent)).toBe(
      'Modèle enregistré sur le serveur : les prochains messages le suivent.',
    )
    expect(squash(document.querySelector('[data-testid="template-source"]')?.textContent)).toMatch(
      /^Version 1, enregistrée sur le serveur par Alex Mathieu le /,
    )
    expect(buttonNamed(w, 'Enregistrer le modèle').attributes('disabled')).toBeDefined()
    expect(allByRole(document.body, 'button', 'Revenir au modèle par défaut')).toHaveLength(1)
  })

  it('keeps the draft when someone saved first, shows their text, and saves on their version next', async () => {
    const theirs: NoticeTemplateSlot = {
      ...inherited('chaussee'),
      subject: 'Ville de Nancy — {reference}',
      source: 'server',
      inheritedFrom: null,
      version: 1,
      updatedAt: '2026-03-05T09:00:00.000Z',
      updatedBy: 'Sam Leroy',
    }
    answer('admin.saveNoticeTemplate', () => {
      throw new ApiError(
        'version_conflict',
        'Ce modèle a été modifié entre-temps par Sam Leroy : rechargez-le avant de l’enregistrer.',
        { current: theirs },
      )
    })
    const w = await openTemplates()
    await choose(w, 'Catégorie', 'chaussee')
    const subject = controlLabelled(w, 'Objet du courriel') as HTMLInputElement
    await type(subject, 'Mairie — {reference}')
    await buttonNamed(w, 'Enregistrer le modèle').trigger('click')
    await flushPromises()
    const alert = byRole('alert')
    expect(squash(alert.textContent)).toContain('modifié entre-temps par Sam Leroy')
    expect(squash(alert.textContent)).toContain('Ville de Nancy — {reference}')
    expect(subject.value).toBe('Mairie — {reference}')

    await buttonNamed(w, 'Enregistrer le modèle').trigger('click')
    await flushPromises()
    expect(callsTo('admin.saveNoticeTemplate').map((c) => c.baseVersion)).toEqual([0, 1])

    await buttonNamed(w, 'Reprendre le texte en vigueur').trigger('click')
    expect(subject.value).toBe('Ville de Nancy — {reference}')
  })

  it('goes back to the default after a confirmation, for a text the server holds', async () => {
    templates.slots[2] = {
      ...inherited('chaussee'),
      subject: 'Voirie — {reference}',
      source: 'server',
      inheritedFrom: null,
      version: 3,
      updatedAt: '2026-03-05T09:00:00.000Z',
      updatedBy: 'Alex Mathieu',
    }
    answer('admin.resetNoticeTemplate', () => {
      templates = {
        ...templates,
        slots: templates.slots.map((s, i) => (i === 2 ? inherited('chaussee') : s)),
      }
      return templates
    })
    const w = await openTemplates()
    await choose(w, 'Catégorie', 'chaussee')
    expect(preview('subject')).toBe('Voirie — GRC-2026-000123')
    await buttonNamed(w, 'Revenir au modèle par défaut').trigger('click')
    expect(callsTo('admin.resetNoticeTemplate')).toEqual([])
    byRole(
      'group',
      'Le texte enregistré sur le serveur pour ce modèle sera abandonné, et le modèle par défaut repris. Continuer ?',
    )
    await buttonNamed(w, 'Revenir au modèle par défaut').trigger('click')
    await flushPromises()
    expect(callsTo('admin.resetNoticeTemplate')).toEqual([{ categoryId: 'chaussee', event: 'public_reply' }])
    expect(preview('subject')).toBe('Votre demande GRC-2026-000123 : réponse du service Voirie Nord')
    expect((controlLabelled(w, 'Objet du courriel') as HTMLInputElement).value).toBe(general.subject)
  })

  it('says the server is needed when the core cannot reach it', async () => {
    answer('admin.noticeTemplates', () => {
      throw new ApiError('server_unavailable', 'x', { reason: 'Serveur injoignable.' })
    })
    await openTemplates()
    const alert = byRole('alert')
    expect([...alert.querySelectorAll('p, button')].map((el) => squash(el.textContent))).toEqual([
      'Les modèles de réponse demandent une connexion au serveur central.',
      'Détail : Serveur injoignable.',
      'Réessayer',
    ])
  })
})
