import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { AttachmentItem, RequestAttachments } from '../../../src/shared/channels/attachments'
import type { HistoryEvent } from '../../../src/shared/domain'
import RequestDetail from '../../../src/renderer/components/RequestDetail.vue'
import { useDetailStore } from '../../../src/renderer/stores/detail'
import { useReferenceStore } from '../../../src/renderer/stores/reference'
import { ApiError, answer, answerDetailReads, callsTo, emit, invoke, resetFakeApi } from './support/fakeApi'
import { detailFor, sessionFor } from './support/fixtures'
import { allByRole, byRole, mountWithApp } from './support/mount'

vi.mock('../../../src/renderer/api', () => import('./support/fakeApi'))

let wrapper: VueWrapper | null = null

/** Every tile is on screen at once: the observer reports each observed tile as visible. */
class VisibleObserver {
  constructor(private readonly callback: IntersectionObserverCallback) {}
  observe(target: Element) {
    this.callback([{ isIntersecting: true, target } as IntersectionObserverEntry], this as never)
  }
  disconnect() {}
  unobserve() {}
}

const item = (over: Partial<AttachmentItem> = {}): AttachmentItem => ({
  id: 'att-1',
  requestId: 'r1',
  name: 'trottoir.jpg',
  mime: 'image/jpeg',
  size: 245_000,
  width: 1600,
  height: 1200,
  thumbnail: true,
  source: 'agent',
  createdAt: '2026-03-02T09:30:00.000Z',
  createdByName: 'Zoé Martin',
  state: 'sent',
  error: null,
  remove: { allowed: false, refusal: 'role' },
  ...over,
})

const historyEvent = (
  id: number,
  kind: HistoryEvent['kind'],
  data: Record<string, unknown>,
): HistoryEvent => ({
  id,
  requestId: 'r1',
  kind,
  at: '2026-03-02T10:00:00.000Z',
  actorId: 'ag-leo',
  actorName: 'Léo Petit',
  data,
})

const LIMITS = { maxBytes: 10 * 1024 * 1024, types: ['image/jpeg', 'image/png', 'application/pdf'] } as const

function listing(over: Partial<RequestAttachments> = {}): RequestAttachments {
  return { items: [item()], add: { allowed: true }, limits: { ...LIMITS, types: [...LIMITS.types] }, ...over }
}

/** A small file whose first bytes are a JPEG's (the core sniffs them; the screen checks the type). */
const jpeg = (name: string, size = 64) =>
  new File([new Uint8Array(size).fill(0xff)], name, { type: 'image/jpeg' })

beforeEach(() => {
  resetFakeApi()
  answerDetailReads()
  vi.stubGlobal('IntersectionObserver', VisibleObserver)
  answer('attachments.thumbnail', () => ({ bytes: new Uint8Array([0xff, 0xd8, 0xff, 0xe0]), reason: null }))
})
afterEach(() => {
  wrapper?.unmount()
  wrapper = null
  vi.unstubAllGlobals()
})

async function open(attachments: RequestAttachments | (() => RequestAttachments), version = 3) {
  const session = sessionFor(['agent'])
  answer('request.get', () => detailFor(session, { version }))
  answer('attachments.ofRequest', typeof attachments === 'function' ? attachments : () => attachments)
  wrapper = mountWithApp(RequestDetail, session)
  await useReferenceStore().load()
  await useDetailStore().open('r1')
  await flushPromises()
  return wrapper.find('section.attachments')
}

const panelElement = () => document.querySelector<HTMLElement>('section.attachments')!
const addButton = () => allByRole(panelElement(), 'button', 'Ajouter des photos ou documents')

/** Files given to the hidden picker, as the browser's file dialog would. */
async function pick(files: File[]) {
  const input = panelElement().querySelector<HTMLInputElement>('input[type="file"]')!
  Object.defineProperty(input, 'files', { value: files, configurable: true })
  input.dispatchEvent(new Event('change'))
  await flushPromises()
}

const results = () => [...panelElement().querySelectorAll('.results li')].map((li) => li.textContent?.trim())

describe('the attachments panel', () => {
  it('shows each attachment with its thumbnail, size and state', async () => {
    const panel = await open(
      listing({
        items: [
          item({ id: 'att-3', name: 'plan.pdf', mime: 'application/pdf', size: 1_258_291, thumbnail: false }),
          item({
            id: 'att-2',
            name: 'flou.png',
            mime: 'image/png',
            state: 'refused',
            error: 'image illisible',
          }),
          item({ id: 'att-1', state: 'pending' }),
        ],
      }),
    )
    const tiles = panel.findAll('li.tile')
    expect(tiles.map((t) => t.find('.name').text())).toEqual(['plan.pdf', 'flou.png', 'trottoir.jpg'])
    expect(tiles[0]!.text()).toContain('1,2 Mo')
    expect(tiles[0]!.find('.file-kind').text()).toBe('PDF')
    expect(tiles[0]!.find('img').exists()).toBe(false)
    expect(tiles[1]!.find('.badge').text()).toBe('Refusée : image illisible')
    expect(tiles[2]!.find('.badge').text()).toBe('En attente d’envoi')
    expect(tiles[2]!.text()).toContain('239 Ko')
    // Thumbnails asked for the two images only, shown through blob URLs.
    expect(callsTo('attachments.thumbnail')).toEqual([{ id: 'att-2' }, { id: 'att-1' }])
    expect(tiles[2]!.find('img').attributes('src')).toMatch(/^blob:/)
    expect(byRole('button', 'Voir la photo trottoir.jpg', panelElement())).toBeTruthy()
    expect(byRole('button', 'Ouvrir le document plan.pdf', panelElement())).toBeTruthy()
  })

  it('says the preview waits for the connection when the core cannot fetch it offline', async () => {
    answer('attachments.thumbnail', () => ({ bytes: null, reason: 'offline' }))
    const panel = await open(listing())
    expect(panel.find('li.tile').text()).toContain('Aperçu disponible une fois connecté')
    expect(panel.find('li.tile img').exists()).toBe(false)
  })

  it('offers no « Ajouter » where the core refuses it, and says why', async () => {
    const panel = await open(listing({ add: { allowed: false, refusal: 'role' } }))
    expect(addButton()).toHaveLength(0)
    expect(panel.find('input[type="file"]').exists()).toBe(false)
    expect(panel.text()).toContain('Votre rôle ne permet pas d’ajouter de pièce jointe à cette demande.')
  })

  it('sends one add per picked file, with the picker limited to the accepted types', async () => {
    await open(listing())
    expect(addButton()).toHaveLength(1)
    const input = panelElement().querySelector<HTMLInputElement>('input[type="file"]')!
    expect(input.multiple).toBe(true)
    expect(input.accept).toBe('image/jpeg,image/png,application/pdf,.jpg,.jpeg,.png,.pdf')

    let n = 10
    answer('attachments.add', (input) => item({ id: `att-${++n}`, name: input.name, state: 'pending' }))
    await pick([jpeg('a.jpg'), jpeg('b.jpg')])
    const adds = callsTo('attachments.add')
    expect(adds.map((a) => [a.requestId, a.name, a.bytes.byteLength])).toEqual([
      ['r1', 'a.jpg', 64],
      ['r1', 'b.jpg', 64],
    ])
    expect(adds[0]!.bytes).toBeInstanceOf(Uint8Array)
    expect(results()).toEqual([
      'a.jpg : ajoutée, en attente d’envoi au serveur.',
      'b.jpg : ajoutée, en attente d’envoi au serveur.',
    ])
    expect(panelElement().querySelector('.results')!.getAttribute('aria-live')).toBe('polite')
    // The answered items are shown first, without reading the list again.
    expect([...panelElement().querySelectorAll('li.tile .name')].map((e) => e.textContent)).toEqual([
      'b.jpg',
      'a.jpg',
      'trottoir.jpg',
    ])
    expect(callsTo('attachments.ofRequest')).toHaveLength(1)
  })

  it('costs one write and one read for a picked photo', async () => {
    await open(listing())
    answer('attachments.add', () => item({ id: 'att-9', name: 'c.jpg' }))
    invoke.mockClear()
    await pick([jpeg('c.jpg')])
    expect(invoke.mock.calls.map(([channel]) => channel)).toEqual([
      'attachments.add',
      'attachments.thumbnail',
    ])
  })

  it('refuses an over-limit or unaccepted file before sending, and sends the others', async () => {
    await open(listing())
    answer('attachments.add', (input) => item({ id: 'att-5', name: input.name }))
    const big = new File([new Uint8Array(16)], 'enorme.jpg', { type: 'image/jpeg' })
    Object.defineProperty(big, 'size', { value: 12 * 1024 * 1024 })
    const html = new File(['<html>'], 'page.html', { type: 'text/html' })
    await pick([big, html, jpeg('ok.jpg')])
    expect(callsTo('attachments.add').map((a) => a.name)).toEqual(['ok.jpg'])
    expect(results()).toEqual([
      'enorme.jpg : trop volumineux (12 Mo ; 10 Mo au plus), rien n’a été envoyé.',
      'page.html : format non accepté, rien n’a été envoyé (formats acceptés : JPG, PNG, PDF).',
      'ok.jpg : ajoutée.',
    ])
  })

  it('shows the core’s refusal for the file it refused', async () => {
    await open(listing())
    answer('attachments.add', () => {
      throw new ApiError('invalid_input', 'Ce fichier n’est pas une image JPEG, PNG, WebP ni un PDF.')
    })
    await pick([jpeg('faux.jpg')])
    expect(callsTo('attachments.add')).toHaveLength(1)
    expect(results()).toEqual(['faux.jpg : Ce fichier n’est pas une image JPEG, PNG, WebP ni un PDF.'])
    expect(panelElement().querySelector('.results li')!.className).toContain('error-text')
  })

  it('sends the files dropped on the panel, one add each', async () => {
    await open(listing())
    answer('attachments.add', (input) => item({ id: `att-${input.name}`, name: input.name }))
    const files = [jpeg('d1.jpg'), new File(['%PDF-1.7'], 'd2.pdf', { type: 'application/pdf' })]
    const over = Object.assign(new Event('dragover', { bubbles: true, cancelable: true }), {
      dataTransfer: { types: ['Files'], files: [], dropEffect: 'none' },
    })
    panelElement().querySelector('h3')!.dispatchEvent(over)
    await flushPromises()
    expect(over.defaultPrevented).toBe(true)
    expect(panelElement().querySelector('.drop-zone')!.className).toContain('dragging')
    expect(panelElement().textContent).toContain('Déposez les fichiers pour les joindre à la demande.')

    const drop = Object.assign(new Event('drop', { bubbles: true, cancelable: true }), {
      dataTransfer: { types: ['Files'], files },
    })
    panelElement().dispatchEvent(drop)
    await flushPromises()
    expect(drop.defaultPrevented).toBe(true)
    expect(callsTo('attachments.add').map((a) => a.name)).toEqual(['d1.jpg', 'd2.pdf'])
    expect(panelElement().querySelector('.drop-zone')!.className).not.toContain('dragging')
  })

  it('attaches a screenshot pasted in the request’s detail, named after the minute', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(new Date(2026, 11, 5, 14, 32))
    try {
      await open(listing())
      answer('attachments.add', (input) => item({ id: 'att-p', name: input.name }))
      const shot = new File([new Uint8Array(8)], 'image.png', { type: 'image/png' })
      const paste = Object.assign(new Event('paste', { bubbles: true, cancelable: true }), {
        clipboardData: { files: [shot] },
      })
      document.getElementById('detail-title')!.dispatchEvent(paste)
      await flushPromises()
      expect(paste.defaultPrevented).toBe(true)
      expect(callsTo('attachments.add').map((a) => a.name)).toEqual(['capture-2026-12-05-1432.png'])

      // Text pasted elsewhere (the comment box takes it) is not an attachment.
      const text = Object.assign(new Event('paste', { bubbles: true, cancelable: true }), {
        clipboardData: { files: [] },
      })
      document.querySelector('textarea')?.dispatchEvent(text)
      const outside = Object.assign(new Event('paste', { bubbles: true, cancelable: true }), {
        clipboardData: { files: [shot] },
      })
      document.body.dispatchEvent(outside)
      await flushPromises()
      expect(text.defaultPrevented).toBe(false)
      expect(outside.defaultPrevented).toBe(false)
      expect(callsTo('attachments.add')).toHaveLength(1)

      // A click on the detail's text leaves the focus on the page: the paste is still for it.
      document.querySelector('.description')!.dispatchEvent(new Event('pointerdown', { bubbles: true }))
      const afterClick = Object.assign(new Event('paste', { bubbles: true, cancelable: true }), {
        clipboardData: { files: [shot] },
      })
      document.body.dispatchEvent(afterClick)
      await flushPromises()
      expect(afterClick.defaultPrevented).toBe(true)
      expect(callsTo('attachments.add')).toHaveLength(2)
    } finally {
      vi.useRealTimers()
    }
  })

  it('offers « Retirer » only where the core allows it, confirmed, in one write', async () => {
    const panel = await open(
      listing({
        items: [item({ id: 'att-2', name: 'mienne.jpg', remove: { allowed: true } }), item()],
      }),
    )
    const removes = () =>
      allByRole(panelElement(), 'button').filter((b) => b.textContent?.trim() === 'Retirer')
    expect(removes()).toHaveLength(1)
    expect(removes()[0]!.getAttribute('aria-label')).toBe('Retirer mienne.jpg')

    answer('attachments.remove', () => ({ removed: true }))
    removes()[0]!.click()
    await flushPromises()
    expect(callsTo('attachments.remove')).toHaveLength(0)
    expect(panel.text()).toContain('Retirer « mienne.jpg » de la demande ?')
    invoke.mockClear()
    byRole('button', 'Oui, retirer', panelElement()).click()
    await flushPromises()
    expect(invoke.mock.calls.map(([c, input]) => [c, input])).toEqual([
      ['attachments.remove', { id: 'att-2' }],
    ])
    expect([...panelElement().querySelectorAll('li.tile .name')].map((e) => e.textContent)).toEqual([
      'trottoir.jpg',
    ])
  })

  it('opens the full image in a labelled dialog that Escape closes, focus back on the tile', async () => {
    await open(listing())
    answer('attachments.content', () => ({
      name: 'trottoir.jpg',
      mime: 'image/jpeg',
      bytes: new Uint8Array([0xff, 0xd8, 0xff, 0xe1]),
    }))
    const tile = byRole('button', 'Voir la photo trottoir.jpg', panelElement())
    tile.focus()
    tile.click()
    await flushPromises()
    const dialog = byRole('dialog')
    expect(dialog.getAttribute('aria-modal')).toBe('true')
    expect(document.getElementById(dialog.getAttribute('aria-labelledby')!)!.textContent).toBe('trottoir.jpg')
    expect(callsTo('attachments.content')).toEqual([{ id: 'att-1' }])
    const image = dialog.querySelector('img')!
    expect(image.getAttribute('src')).toMatch(/^blob:/)
    expect(image.getAttribute('alt')).toBe('Photo jointe : trottoir.jpg')
    const download = [...dialog.querySelectorAll('a')].find((a) => a.textContent?.trim() === 'Télécharger')!
    expect(download.getAttribute('download')).toBe('trottoir.jpg')
    expect(download.getAttribute('href')).toBe(image.getAttribute('src'))
    expect(dialog.contains(document.activeElement)).toBe(true)

    dialog.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }))
    await flushPromises()
    expect(allByRole(document.body, 'dialog')).toHaveLength(0)
    expect(document.activeElement).toBe(tile)
  })

  it('reads the list again when the history shows an attachment added, not for other changes', async () => {
    let added = false
    const session = sessionFor(['agent'])
    await open(() =>
      listing({ items: added ? [item({ id: 'att-7', name: 'nouvelle.jpg' }), item()] : [item()] }),
    )
    expect(callsTo('attachments.ofRequest')).toEqual([{ requestId: 'r1' }])

    // Someone else assigned the request: a new version, nothing for this list.
    answer('request.get', () => detailFor(session, { version: 4, assigneeId: 'ag-leo' }))
    answer('request.history', () => [historyEvent(1, 'assigned', { assigneeId: 'ag-leo' })])
    await useDetailStore().followChanges(['r1'])
    await flushPromises()
    expect(callsTo('request.get')).toHaveLength(2)
    expect(callsTo('attachments.ofRequest')).toHaveLength(1)

    // Another console added a photo: the sync brings the request and its history event.
    added = true
    answer('request.get', () => detailFor(session, { version: 5, assigneeId: 'ag-leo' }))
    answer('request.history', () => [
      historyEvent(1, 'assigned', { assigneeId: 'ag-leo' }),
      historyEvent(2, 'attachment_added', { attachmentId: 'att-7', name: 'nouvelle.jpg' }),
    ])
    await useDetailStore().followChanges(['r1'])
    await flushPromises()
    expect(callsTo('attachments.ofRequest')).toHaveLength(2)
    expect([...panelElement().querySelectorAll('li.tile .name')].map((e) => e.textContent)).toEqual([
      'nouvelle.jpg',
      'trottoir.jpg',
    ])
    // The thumbnail already shown is not read again.
    expect(callsTo('attachments.thumbnail')).toEqual([{ id: 'att-1' }, { id: 'att-7' }])
  })

  it('reads the list again when the core says this request’s files changed here, and only then', async () => {
    let state: AttachmentItem['state'] = 'pending'
    const session = sessionFor(['agent'])
    await open(() => listing({ items: [item({ state })] }))
    expect(panelElement().querySelector('.badge')!.textContent).toBe('En attente d’envoi')
    // Another request's file was sent: nothing to read here.
    emit('attachments.changed', { ids: ['r2'] })
    await flushPromises()
    expect(callsTo('attachments.ofRequest')).toHaveLength(1)
    // This one's was: its badge goes, and the detail reads nothing.
    state = 'sent'
    const reads = callsTo('request.get').length
    emit('attachments.changed', { ids: ['r1'] })
    await flushPromises()
    expect(callsTo('attachments.ofRequest')).toHaveLength(2)
    expect(panelElement().querySelector('.badge')).toBeNull()
    expect(callsTo('request.get')).toHaveLength(reads)
    // A new version with nothing for this list reads nothing here.
    answer('request.get', () => detailFor(session, { version: 5 }))
    await useDetailStore().followChanges(['r1'])
    await flushPromises()
    expect(callsTo('attachments.ofRequest')).toHaveLength(2)
  })
})
