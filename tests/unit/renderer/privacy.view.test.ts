import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type {
  AccessLogEntry,
  CitizenFile,
  CitizenFileRequest,
  CitizenMatch,
  SubjectAccessExport,
} from '../../../src/shared/privacy'
import { escapeHtml, subjectAccessHtml } from '../../../src/shared/privacyExportHtml'
import { ApiError } from '../../../src/renderer/apiError'
import NavBar from '../../../src/renderer/components/NavBar.vue'
import PrivacyView from '../../../src/renderer/views/PrivacyView.vue'
import { nextRetentionRun } from '../../../src/renderer/stores/privacy'
import type { RetentionPreview } from '../../../src/shared/contract'
import { useReferenceStore } from '../../../src/renderer/stores/reference'
import { answer, callsTo, resetFakeApi } from './support/fakeApi'
import { reference, sessionFor } from './support/fixtures'
import { buttonNamed, byRole, controlLabelled, mountWithApp } from './support/mount'

vi.mock('../../../src/renderer/api', () => import('./support/fakeApi'))

const downloads = vi.hoisted(() => [] as { text: string; type: string; stem: string; extension: string }[])
vi.mock('../../../src/renderer/components/map/download', () => ({
  downloadText: (text: string, type: string, stem: string, extension: string) =>
    downloads.push({ text, type, stem, extension }),
}))

const CITIZEN_ID = 'c0ffee00-0000-4000-8000-000000000001'
const XSS = '<img src=x onerror=alert(1)>Éloïse'

const match: CitizenMatch = {
  id: CITIZEN_ID,
  name: 'Éloïse Quintavalle',
  email: 'eloise.q@example.org',
  phone: '06 12 34 56 78',
  requestCount: 2,
  lastRequestAt: '2026-02-01T09:00:00.000Z',
  erasedAt: null,
  score: 0.9,
}

const request = (over: Partial<CitizenFileRequest>): CitizenFileRequest => ({
  id: 'r1',
  reference: 'GRC-2026-000001',
  title: 'Nid-de-poule rue Saint-Jean',
  categoryId: 'cat-voirie',
  teamId: 'team-roads',
  status: 'assigned',
  statusKind: 'open',
  createdAt: '2026-02-01T09:00:00.000Z',
  closedAt: null,
  anonymisedAt: null,
  legalHold: null,
  comments: [
    {
      id: 'cm1',
      kind: 'internal',
      body: XSS,
      authorName: 'Zoé Martin',
      createdAt: '2026-02-01T10:00:00.000Z',
    },
  ],
  history: [{ kind: 'created', at: '2026-02-01T09:00:00.000Z', actorName: null, data: { channel: 'phone' } }],
  ...over,
})

const access: AccessLogEntry = {
  id: 'a1',
  at: '2026-02-02T08:00:00.000Z',
  recordedAt: '2026-02-02T08:00:00.000Z',
  agentId: 'ag-zoe',
  agentName: 'Zoé Martin',
  requestId: 'r1',
  requestReference: 'GRC-2026-000001',
  citizenId: CITIZEN_ID,
  action: 'contact_delivered',
  purpose: 'callback',
  clientId: null,
  workstation: 'poste-accueil-3',
  source: 'server',
}

function fileOf(over: Partial<CitizenFile> = {}): CitizenFile {
  return {
    citizen: {
      id: CITIZEN_ID,
      name: 'Éloïse Quintavalle',
      email: 'eloise.q@example.org',
      phone: '06 12 34 56 78',
      postalAddress: '3 rue des Dominicains, Nancy',
      contactPreference: 'email',
      erasedAt: null,
    },
    requests: [
      request({}),
      request({
        id: 'r2',
        reference: 'GRC-2026-000002',
        title: 'Lampadaire éteint',
        comments: [],
        legalHold: { reason: 'Contentieux en cours', at: '2026-02-05T09:00:00.000Z', byName: 'Dina Colin' },
      }),
    ],
    accesses: [access],
    ...over,
  }
}

const exported: SubjectAccessExport = {
  format: 'grc-subject-access/1',
  generatedAt: '2026-03-02T10:00:00.000Z',
  controller: { name: 'Ville de Nancy', dpoContact: 'dpo (arobase) nancy.fr' },
  citizen: { ...fileOf().citizen, name: XSS },
  requests: [
    {
      reference: 'GRC-2026-000001',
      createdAt: '2026-02-01T09:00:00.000Z',
      closedAt: null,
      channel: 'phone',
      category: 'Voirie',
      team: 'Voirie Nancy',
      title: '"><script>alert(1)</script>',
      description: 'Devant chez <b>moi</b> & mon voisin',
      address: null,
      location: { lat: 48.69, lon: 6.18 },
      fields: { reason: "l'usager a rappelé" },
      status: 'assigned',
      legalHold: false,
      retention: { anonymiseOn: null, deleteOn: null },
      comments: [
        { kind: 'public', body: '<iframe src="javascript:alert(1)">', at: '2026-02-01T10:00:00.000Z' },
      ],
      history: [
        { kind: 'exported', at: '2026-03-02T10:00:00.000Z', data: { x: '<svg onload=1>' }, actor: 'DPO' },
      ],
      attachments: [],
    },
  ],
  accesses: [
    { at: '2026-02-02T08:00:00.000Z', action: 'contact_delivered', purpose: 'callback', service: 'Voirie' },
  ],
  purposes: [{ purpose: 'Traitement des demandes des usagers', legalBasis: 'RGPD art. 6(1)(e)' }],
  recipients: [{ kind: 'team', name: 'Voirie Nancy' }],
  retentionPolicy: {
    anonymiseAfterClosedMonths: 12,
    deleteAfterClosedMonths: null,
    keepInternalComments: false,
    runAt: '02:30',
  },
}

/** Two categories: Voirie keeps the authority's rule, Éclairage sets its own (never anonymised, deleted after 10 years). */
const preview: RetentionPreview = {
  at: '2026-03-02T10:00:00.000Z',
  categories: [
    {
      categoryId: 'cat-voirie',
      rule: { anonymiseAfterClosedMonths: 12, deleteAfterClosedMonths: null },
      anonymise: 3,
      delete: 0,
      held: 1,
      samples: ['GRC-2024-000011', 'GRC-2024-000012', 'GRC-2024-000015'],
    },
    {
      categoryId: 'cat-light',
      rule: { anonymiseAfterClosedMonths: null, deleteAfterClosedMonths: 120 },
      anonymise: 0,
      delete: 1,
      held: 0,
      samples: ['GRC-2015-000002'],
    },
  ],
  accessLog: { before: '2025-03-02T10:00:00.000Z', entries: 42 },
  policy: {
    anonymiseAfterClosedMonths: 12,
    deleteAfterClosedMonths: null,
    keepInternalComments: false,
    runAt: '02:30',
  },
}

const withLighting = {
  ...reference,
  categories: [
    ...reference.categories,
    {
      ...reference.categories[0]!,
      id: 'cat-light',
      code: 'eclairage',
      name: { fr: 'Éclairage public', en: 'Street lighting' },
      retention: { anonymiseAfterClosedMonths: null, deleteAfterClosedMonths: 120 },
    },
  ],
}

let wrapper: VueWrapper | null = null
const squash = (text: string | null | undefined) => (text ?? '').replace(/\s+/g, ' ').trim()

beforeEach(() => {
  resetFakeApi()
  downloads.length = 0
  answer('reference.get', () => reference)
  answer('privacy.search', () => ({ matches: [match] }))
  answer('privacy.file', () => fileOf())
  answer('privacy.export', () => exported)
})
afterEach(() => {
  wrapper?.unmount()
  wrapper = null
})

async function openView(roles: Parameters<typeof sessionFor>[0] = ['dpo']) {
  wrapper = mountWithApp(PrivacyView, {
    ...sessionFor(roles, []),
    agentId: 'ag-dina',
    displayName: 'Dina Colin',
  })
  await useReferenceStore().load()
  await flushPromises()
  return wrapper
}

async function searchAndOpen(w: VueWrapper) {
  await w.find('#privacy-q').setValue('eloise quintavale')
  await w.find('form[role="search"]').trigger('submit')
  await flushPromises()
  await document.querySelector<HTMLButtonElement>('ul[aria-label="Usagers trouvés"] button')!.click()
  await flushPromises()
}

describe('the data protection screen', () => {
  it('is in the navigation for the DPO only', async () => {
    wrapper = mountWithApp(NavBar, sessionFor(['dpo'], []))
    expect(wrapper.findAll('a').map((a) => a.text())).toContain('Protection des données')
    wrapper.unmount()
    for (const role of ['agent', 'admin', 'supervisor'] as const) {
      wrapper = mountWithApp(NavBar, sessionFor([role]))
      expect(wrapper.findAll('a').map((a) => a.text())).not.toContain('Protection des données')
      wrapper.unmount()
    }
    wrapper = null
  })

  it('tells another role the screen is the DPO’s and asks nothing', async () => {
    const w = await openView(['admin'])
    expect(w.find('[role="alert"]').text()).toContain('réservé au délégué à la protection des données')
    expect(callsTo('privacy.search')).toEqual([])
  })

  it('searches, opens the file, exports in one click, then erases with a reason and a confirmation', async () => {
    const w = await openView()
    const field = controlLabelled(w, 'Nom, courriel ou téléphone')
    expect(field.getAttribute('type')).toBe('search')

    // Too short: said, not sent.
    await w.find('#privacy-q').setValue('e')
    await w.find('form[role="search"]').trigger('submit')
    expect(w.find('.citizen-search [role="alert"]').text()).toBe('Saisissez au moins deux caractères.')
    expect(callsTo('privacy.search')).toEqual([])

    await w.find('#privacy-q').setValue('eloise quintavale')
    await w.find('form[role="search"]').trigger('submit')
    await flushPromises()
    expect(callsTo('privacy.search')).toEqual([{ q: 'eloise quintavale', limit: 20 }])
    expect(w.find('.citizen-search [role="status"]').text()).toBe('1 usager trouvé')
    const result = document.querySelector<HTMLButtonElement>('ul[aria-label="Usagers trouvés"] button')!
    expect(result.textContent).toContain('Éloïse Quintavalle')
    expect(result.textContent).toContain('2 demandes')

    result.click()
    await flushPromises()
    expect(callsTo('privacy.file')).toEqual([{ id: CITIZEN_ID }])
    expect(w.find('#privacy-file-title').text()).toBe('Dossier : Éloïse Quintavalle')
    expect(document.activeElement?.id).toBe('privacy-file-title')
    const file = w.find('.citizen-file').text()
    expect(file).toContain('3 rue des Dominicains, Nancy')
    expect(file).toContain('GRC-2026-000002')
    expect(file).toContain('Sous gel juridique depuis le')
    expect(file).toContain('Contentieux en cours')
    // Accesses: who, when, why, where.
    const table = byRole('table')
    expect(table.textContent).toContain('Zoé Martin')
    expect(table.textContent).toContain('Coordonnées consultées')
    expect(table.textContent).toContain('Rappeler l’usager')
    expect(table.textContent).toContain('poste-accueil-3')
    // A comment with markup stays text.
    expect(w.find('.citizen-file').html()).not.toContain('<img')
    expect(file).toContain(XSS)

    // One click: one export, two files.
    await buttonNamed(w, 'Exporter le dossier (droit d’accès)').trigger('click')
    await flushPromises()
    expect(callsTo('privacy.export')).toEqual([{ id: CITIZEN_ID }])
    expect(downloads.map((d) => [d.type, d.extension])).toEqual([
      ['application/json', 'json'],
      ['text/html', 'html'],
    ])
    expect(JSON.parse(downloads[0]!.text)).toEqual(exported)
    expect(downloads[1]!.text).toContain('<h1>Vos données personnelles</h1>')
    expect(downloads.every((d) => !d.stem.includes('Quintavalle'))).toBe(true)
    expect(w.find('.citizen-file [role="status"].notice-text').text()).toContain('Export téléchargé')
    // The file is read again (the export wrote history).
    expect(callsTo('privacy.file')).toHaveLength(2)

    // Erase: the dialog lists the held request, asks a reason and a confirmation.
    answer('privacy.erase', ({ id }) => ({
      citizenId: id,
      anonymisedRequestIds: ['r1'],
      held: [{ id: 'r2', reference: 'GRC-2026-000002', reason: 'Contentieux en cours' }],
      citizenAnonymised: false,
    }))
    await buttonNamed(w, 'Effacer l’usager').trigger('click')
    await flushPromises()
    const dialog = byRole('dialog', 'Effacer Éloïse Quintavalle (article 17)')
    expect(dialog.textContent).toContain('GRC-2026-000002')
    expect(dialog.textContent).toContain('sous gel juridique')
    expect(document.activeElement?.id).toBe('erase-reason')
    await w.find('#erase-reason').setValue('Demande de l’usager du 1er mars')
    await w.find('[role="dialog"] form').trigger('submit')
    expect(dialog.querySelector('[role="alert"]')?.textContent).toContain('Cochez la case de confirmation')
    expect(callsTo('privacy.erase')).toEqual([])
    await w.find('#erase-confirm').setValue(true)
    await w.find('[role="dialog"] form').trigger('submit')
    await flushPromises()
    expect(callsTo('privacy.erase')).toEqual([{ id: CITIZEN_ID, reason: 'Demande de l’usager du 1er mars' }])
    expect(w.find('[role="dialog"]').exists()).toBe(false)
    expect(w.find('.citizen-file [role="status"].notice-text').text()).toContain(
      'Effacement partiel : 1 demande conservée sous gel juridique',
    )
    expect(document.querySelector('[aria-labelledby="privacy-kept-title"]')?.textContent).toContain(
      'GRC-2026-000002',
    )
  })

  it('rectifies only the fields changed, with the reason', async () => {
    answer('privacy.rectify', (input) => ({
      citizen: { ...fileOf().citizen, email: input.email ?? null },
    }))
    const w = await openView()
    await searchAndOpen(w)
    await buttonNamed(w, 'Rectifier les coordonnées').trigger('click')
    await w.find('#rectify-email').setValue('eloise@example.net')
    await w.find('form.rectify').trigger('submit')
    expect(w.find('form.rectify [role="alert"]').text()).toBe('Indiquez le motif de la rectification.')
    await w.find('#rectify-reason').setValue('Nouvelle adresse signalée par l’usager')
    await w.find('form.rectify').trigger('submit')
    await flushPromises()
    expect(callsTo('privacy.rectify')).toEqual([
      { id: CITIZEN_ID, email: 'eloise@example.net', reason: 'Nouvelle adresse signalée par l’usager' },
    ])
    expect(w.find('form.rectify').exists()).toBe(false)
    expect(w.find('.notice-text').text()).toContain('Rectification enregistrée sur le serveur')
  })

  it('sets and lifts a legal hold with its reason', async () => {
    answer('privacy.legalHold', ({ requestId, reason }) => ({
      requestId,
      legalHold: reason ? { reason, at: '2026-03-02T10:00:00.000Z', byName: 'Dina Colin' } : null,
    }))
    const w = await openView()
    await searchAndOpen(w)
    await buttonNamed(w, 'Placer sous gel juridique : demande GRC-2026-000001').trigger('click')
    await w.find('#hold-reason-r1').setValue('Recours administratif')
    await w.find('.legal-hold form').trigger('submit')
    await flushPromises()
    expect(callsTo('privacy.legalHold')).toEqual([{ requestId: 'r1', reason: 'Recours administratif' }])
    expect(w.find('.notice-text').text()).toBe('Gel juridique placé : demande GRC-2026-000001.')

    await buttonNamed(w, 'Lever le gel juridique : demande GRC-2026-000002').trigger('click')
    await flushPromises()
    expect(callsTo('privacy.legalHold').at(-1)).toEqual({ requestId: 'r2', reason: null })
  })

  it('reads the whole access log by agent and days, and opens a citizen’s file from a row', async () => {
    answer('privacy.accessLog', () => ({ entries: [access], next: null }))
    const w = await openView()
    const tab = byRole('tab', 'Journal des accès')
    expect(tab.getAttribute('aria-selected')).toBe('false')
    tab.click()
    await flushPromises()
    expect(callsTo('privacy.accessLog')).toEqual([{ limit: 100 }])
    expect(byRole('table').textContent).toContain('poste-accueil-3')

    await w.find('#log-agent').setValue('ag-zoe')
    await w.find('#log-from').setValue('2026-02-01')
    await w.find('#log-to').setValue('2026-02-28')
    await w.find('form.filters').trigger('submit')
    await flushPromises()
    const query = callsTo('privacy.accessLog').at(-1)!
    expect(query.agentId).toBe('ag-zoe')
    expect(new Date(query.from!).getTime()).toBe(new Date('2026-02-01T00:00:00').getTime())
    expect(new Date(query.to!).getTime()).toBe(new Date('2026-02-28T23:59:59.999').getTime())

    // The date is local time: named by it and by the request's reference.
    const open = w.find('.accesses tbody button')
    expect(open.attributes('aria-label')).toMatch(
      /^Ouvrir le dossier de l’usager \(accès du 02\/02\/2026 \d\d:00, demande GRC-2026-000001\)$/,
    )
    await open.trigger('click')
    await flushPromises()
    expect(callsTo('privacy.file')).toEqual([{ id: CITIZEN_ID }])
    expect(byRole('tab', 'Usagers').getAttribute('aria-selected')).toBe('true')
    expect(w.find('#privacy-file-title').text()).toBe('Dossier : Éloïse Quintavalle')
  })

  it('says a server is needed when the core cannot reach it', async () => {
    answer('privacy.search', () => {
      throw new ApiError('server_unavailable', 'no server', { reason: 'Serveur injoignable.' })
    })
    const w = await openView()
    await w.find('#privacy-q').setValue('durand')
    await w.find('form[role="search"]').trigger('submit')
    await flushPromises()
    const alert = w.find('.citizen-search [role="alert"]').text()
    expect(alert).toContain('L’exercice des droits des usagers demande une connexion au serveur central.')
    expect(alert).toContain('Serveur injoignable.')
  })

  it('shows what the next retention run would do, per category and in words, before it happens', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(new Date('2026-03-02T10:00:00.000Z'))
    try {
      answer('reference.get', () => withLighting)
      answer('privacy.retentionPreview', () => preview)
      const w = await openView()
      byRole('tab', 'Conservation').click()
      await flushPromises()
      expect(callsTo('privacy.retentionPreview')).toEqual([{}])
      const panel = byRole('tabpanel', 'Conservation')
      const text = squash(panel.textContent)
      // The next run, on Paris time: tomorrow at 02:30.
      expect(text).toContain('Prochain passage : mardi 3 mars 2026 à 02:30 (heure de Paris).')
      // The authority's rule and its legal basis.
      expect(text).toContain('Par défaut : anonymisation 1 an après la clôture ; pas de suppression.')
      expect(text).toContain('Les notes internes sont supprimées lors de l’anonymisation.')
      expect(text).toContain('visa d’élimination')
      expect(text).toContain('Code du patrimoine, article L212-2')
      expect(text).toContain('anonymisées passé leur délai (RGPD, article 5-1-e')
      // Each category: its rule and whose it is, the counts, a few references.
      const items = [...panel.querySelectorAll('li.category')].map((li) => squash(li.textContent))
      expect(items).toHaveLength(2)
      const roads = items.find((i) => i.startsWith('Voirie'))!
      expect(roads).toContain(
        'Règle : anonymisation 1 an après la clôture (règle de la collectivité) ; pas de suppression (règle de la collectivité).',
      )
      expect(roads).toContain('3 demandes seraient anonymisées.')
      expect(roads).toContain('Aucune demande ne serait supprimée.')
      expect(roads).toContain('1 demande échue est conservée sous gel juridique.')
      expect(roads).toContain('Par exemple : GRC-2024-000011, GRC-2024-000012, GRC-2024-000015.')
      const lighting = items.find((i) => i.startsWith('Éclairage public'))!
      expect(lighting).toContain(
        'Règle : pas d’anonymisation (propre à la catégorie) ; suppression 10 ans après la clôture (propre à la catégorie).',
      )
      expect(lighting).toContain('1 demande serait supprimée.')
      // The access log's purge.
      expect(text).toContain(
        '42 entrées du journal des accès antérieures au dimanche 2 mars 2025 à 11:00 seraient purgées.',
      )

      // Every control named; the tab is reached with the arrows too.
      for (const b of panel.querySelectorAll('button'))
        expect((b.getAttribute('aria-label') ?? b.textContent)?.trim(), b.outerHTML).toBeTruthy()
      expect(byRole('tab', 'Conservation').getAttribute('aria-selected')).toBe('true')

      // Asked again on demand.
      await buttonNamed(w, 'Actualiser l’aperçu').trigger('click')
      await flushPromises()
      expect(callsTo('privacy.retentionPreview')).toHaveLength(2)
    } finally {
      vi.useRealTimers()
    }
  })

  it('says the server must be updated when it has no retention preview yet', async () => {
    answer('privacy.retentionPreview', () => {
      throw new ApiError('server_unavailable', 'outdated', {
        reason:
          'Le serveur central ne calcule pas encore l’aperçu de la conservation : le serveur doit être mis à jour.',
        outdated: true,
      })
    })
    await openView()
    byRole('tab', 'Conservation').click()
    await flushPromises()
    const alert = squash(byRole('tabpanel', 'Conservation').querySelector('[role="alert"]')?.textContent)
    expect(alert).toContain('le serveur doit être mis à jour')
    expect(alert).not.toContain('demande une connexion au serveur central')
  })

  it('says a server is needed for the retention preview when it cannot be reached', async () => {
    answer('privacy.retentionPreview', () => {
      throw new ApiError('server_unavailable', 'no server', { reason: 'Serveur injoignable.' })
    })
    await openView()
    byRole('tab', 'Conservation').click()
    await flushPromises()
    const alert = squash(byRole('tabpanel', 'Conservation').querySelector('[role="alert"]')?.textContent)
    expect(alert).toContain('L’exercice des droits des usagers demande une connexion au serveur central.')
    expect(alert).toContain('Serveur injoignable.')
  })

  it('gives every control an accessible name and uses no v-html', async () => {
    const w = await openView()
    await searchAndOpen(w)
    await buttonNamed(w, 'Rectifier les coordonnées').trigger('click')
    for (const el of document.querySelectorAll<HTMLElement>('input, select, textarea')) {
      const labelled =
        el.getAttribute('aria-label') ??
        (el.id ? document.querySelector(`label[for="${el.id}"]`)?.textContent : null) ??
        el.closest('label')?.textContent
      expect(labelled?.trim(), el.outerHTML).toBeTruthy()
    }
    for (const b of document.querySelectorAll('button'))
      expect((b.getAttribute('aria-label') ?? b.textContent)?.trim(), b.outerHTML).toBeTruthy()
    // Text from the server is never markup: no v-html in the screen's components.
    const sources = import.meta.glob<string>(
      [
        '../../../src/renderer/components/privacy/*.vue',
        '../../../src/renderer/views/PrivacyView.vue',
        '../../../src/renderer/components/CitizenBlock.vue',
      ],
      { query: '?raw', import: 'default', eager: true },
    )
    expect(Object.keys(sources).length).toBeGreaterThan(7)
    for (const [file, text] of Object.entries(sources)) expect(text, file).not.toContain('v-html')
  })
})

describe('the next retention run', () => {
  it('is at runAt, Paris time, whatever the season', () => {
    const at = (now: string) => new Date(nextRetentionRun('02:30', Date.parse(now))).toISOString()
    // Winter (UTC+1), later today or tomorrow.
    expect(at('2026-01-15T01:00:00.000Z')).toBe('2026-01-15T01:30:00.000Z')
    expect(at('2026-01-15T10:00:00.000Z')).toBe('2026-01-16T01:30:00.000Z')
    // Summer (UTC+2).
    expect(at('2026-07-01T10:00:00.000Z')).toBe('2026-07-02T00:30:00.000Z')
    // 02:30 does not exist on the night the clocks go forward: an hour later.
    expect(at('2026-03-28T12:00:00.000Z')).toBe('2026-03-29T01:30:00.000Z')
    // The night they go back: the first 02:30.
    expect(at('2026-10-24T12:00:00.000Z')).toBe('2026-10-25T00:30:00.000Z')
    // Already past midnight in Paris on New Year's Eve: the evening of 1 January.
    expect(new Date(nextRetentionRun('23:59', Date.parse('2026-12-31T23:00:00.000Z'))).toISOString()).toBe(
      '2027-01-01T22:59:00.000Z',
    )
  })
})

describe('the printable export', () => {
  it('escapes every value: no markup from the data reaches the document', () => {
    const html = subjectAccessHtml(exported, { status: (s) => (s === 'assigned' ? 'Assignée' : s) })
    expect(html).not.toMatch(/<script|<img|<iframe|<svg|<b>/i)
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;Éloïse')
    expect(html).toContain('&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;')
    expect(html).toContain('Devant chez &lt;b&gt;moi&lt;/b&gt; &amp; mon voisin')
    expect(html).toContain('l&#39;usager a rappelé')
    expect(html).toContain('<html lang="fr">')
    expect(html).toContain('Statut</dt><dd>Assignée</dd>')
    expect(html).toContain('Rappeler l’usager')
    expect(html).toContain('Ville de Nancy')
    expect(html).toContain('RGPD art. 6(1)(e)')
    expect(html).toContain('Anonymisation des données</dt><dd>12 mois après la clôture')
  })

  it('is pure: the same export gives the same document', () => {
    expect(subjectAccessHtml(exported)).toBe(subjectAccessHtml(exported))
    expect(escapeHtml(`<a href="x" title='y'>&\``)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&#96;',
    )
  })
})
