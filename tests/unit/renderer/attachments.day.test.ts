import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { AttachmentItem, RequestAttachments } from '../../../src/shared/channels/attachments'
import type { TransitionOption } from '../../../src/shared/domain'
import type { TechnicianDay } from '../../../src/shared/savedTour'
import { DEFAULT_DEPOT } from '../../../src/shared/mapSettings'
import DayView from '../../../src/renderer/views/DayView.vue'
import { useReferenceStore } from '../../../src/renderer/stores/reference'
import { answer, answerDetailReads, callsTo, invoke, resetFakeApi } from './support/fakeApi'
import { detailFor, sessionFor } from './support/fixtures'
import { byRole, mountWithApp } from './support/mount'

vi.mock('../../../src/renderer/api', () => import('./support/fakeApi'))

let wrapper: VueWrapper | null = null
const session = sessionFor(['technician'])

const finish: TransitionOption = {
  id: 'finish',
  label: { fr: 'Réaliser', en: 'Done' },
  to: 'done',
  requires: [],
}

function dayWith(version = 5): TechnicianDay {
  return {
    tour: {
      id: 'tour-1',
      teamId: 'team-roads',
      technicianId: 'ag-zoe',
      date: '2026-12-05',
      name: 'Tournée Nancy-Nord',
      depot: DEFAULT_DEPOT,
      stopIds: ['r1'],
      distanceKm: 4.2,
      durationMinutes: 90,
      createdBy: 'ag-leo',
      createdAt: 1,
      updatedAt: 1,
      version: 1,
    },
    stops: [
      {
        request: detailFor(session, { status: 'in_progress', version }),
        actions: { stage: 'started', start: null, finish, impossible: null },
      },
    ],
    missing: 0,
    progress: { done: 0, started: 1, total: 1 },
    others: [],
  }
}

const photo = (over: Partial<AttachmentItem> = {}): AttachmentItem => ({
  id: 'att-1',
  requestId: 'r1',
  name: 'avant.jpg',
  mime: 'image/jpeg',
  size: 180_000,
  width: 1600,
  height: 1200,
  thumbnail: true,
  source: 'agent',
  createdAt: '2026-12-05T08:10:00.000Z',
  createdByName: 'Zoé Martin',
  state: 'pending',
  error: null,
  remove: { allowed: true },
  ...over,
})

const listing = (over: Partial<RequestAttachments> = {}): RequestAttachments => ({
  items: [photo()],
  add: { allowed: true },
  limits: { maxBytes: 5 * 1024 * 1024, types: ['image/jpeg', 'image/png', 'image/webp', 'application/pdf'] },
  ...over,
})

beforeEach(() => {
  resetFakeApi()
  answerDetailReads()
})
afterEach(() => {
  wrapper?.unmount()
  wrapper = null
})

async function openDay(attachments: RequestAttachments) {
  answer('tours.day', () => dayWith())
  answer('attachments.ofRequest', () => attachments)
  wrapper = mountWithApp(DayView, session)
  await useReferenceStore().load()
  await flushPromises()
  const stop = document.querySelector<HTMLElement>('li.stop')!
  return stop
}

async function openFinish() {
  byRole('button', 'Terminer l’étape GRC-2026-000001').click()
  await flushPromises()
}

async function take(files: File[]) {
  const input = document.querySelector<HTMLInputElement>('.stop-photos input[type="file"]')!
  Object.defineProperty(input, 'files', { value: files, configurable: true })
  input.dispatchEvent(new Event('change'))
  await flushPromises()
}

const jpeg = (name: string) => new File([new Uint8Array(32).fill(0xff)], name, { type: 'image/jpeg' })

describe('photos in « Ma journée »', () => {
  it('counts the stop’s photos on its card', async () => {
    const stop = await openDay(
      listing({
        items: [
          photo(),
          photo({ id: 'att-2' }),
          photo({ id: 'att-3', mime: 'application/pdf', name: 'bon.pdf', thumbnail: false }),
        ],
      }),
    )
    expect(stop.querySelector('.photo-count')!.textContent!.replace(/\s+/g, ' ').trim()).toBe(
      '2 photos · 1 document',
    )
    expect(callsTo('attachments.ofRequest')).toEqual([{ requestId: 'r1' }])
  })

  it('takes photos with the tablet’s camera in « Terminer », sends each at once, shows them in the form', async () => {
    const stop = await openDay(listing())
    await openFinish()
    const take_ = byRole('button', 'Prendre ou ajouter des photos pour GRC-2026-000001', stop)
    expect(take_.textContent!.trim()).toBe('Prendre ou ajouter des photos')
    const input = stop.querySelector<HTMLInputElement>('.stop-photos input[type="file"]')!
    expect(input.getAttribute('accept')).toBe('image/*')
    expect(input.getAttribute('capture')).toBe('environment')
    expect(input.multiple).toBe(true)

    let n = 1
    answer('attachments.add', (input) => photo({ id: `att-${++n}`, name: input.name }))
    invoke.mockClear()
    await take([jpeg('fissure.jpg'), jpeg('apres.jpg')])
    // One write per photo, nothing read: the answers go into the list the card counts.
    expect(invoke.mock.calls.map(([channel]) => channel)).toEqual(['attachments.add', 'attachments.add'])
    expect(callsTo('attachments.add').map((a) => [a.requestId, a.name])).toEqual([
      ['r1', 'fissure.jpg'],
      ['r1', 'apres.jpg'],
    ])
    const previews = [...stop.querySelectorAll<HTMLImageElement>('.stop-photos .taken img')]
    expect(previews.map((img) => img.alt)).toEqual(['Photo 1 : fissure.jpg', 'Photo 2 : apres.jpg'])
    expect(previews.every((img) => img.src.startsWith('blob:'))).toBe(true)
    expect(stop.querySelector('.stop-photos [role="status"]')!.textContent).toContain(
      'fissure.jpg : ajoutée, en attente d’envoi au serveur.',
    )
    expect(stop.querySelector('.photo-count')!.textContent!.trim()).toBe('3 photos')
  })

  it('refuses a photo over the limit before sending it, and says so in the form', async () => {
    const stop = await openDay(listing({ items: [] }))
    await openFinish()
    answer('attachments.add', (input) => photo({ name: input.name }))
    const big = jpeg('grande.jpg')
    Object.defineProperty(big, 'size', { value: 8 * 1024 * 1024 })
    await take([big])
    expect(callsTo('attachments.add')).toHaveLength(0)
    expect(stop.querySelector('.stop-photos [role="status"]')!.textContent).toContain(
      'grande.jpg : trop volumineux (8 Mo ; 5 Mo au plus), rien n’a été envoyé.',
    )
    expect(stop.querySelectorAll('.stop-photos .taken img')).toHaveLength(0)
    expect(stop.querySelector('.photo-count')!.textContent!.trim()).toBe('Aucune photo')
  })

  it('offers no camera where the core refuses a photo, and says why', async () => {
    const stop = await openDay(listing({ add: { allowed: false, refusal: 'state' } }))
    await openFinish()
    expect(stop.querySelector('.stop-photos button')).toBeNull()
    expect(stop.querySelector('.stop-photos')!.textContent).toContain(
      'Cette demande n’accepte plus de pièce jointe.',
    )
  })
})
