/**
 * Reference administration in the console's core: who may, what a server's answers become
 * (its refusals passed on in words, anything unreadable refused), and the audit trail's
 * changes. The HTTP is the real transport over a fake `fetch`.
 */
import { describe, expect, it, vi } from 'vitest'
import type { SessionInfo } from '../../src/shared/contract'
import { CoreError } from '../../src/shared/result'
import { outlineSummary } from '../../src/shared/adminReference'
import {
  auditChanges,
  createReferenceAdminService,
  NEEDS_SERVER,
  type ReferenceAdminRemote,
} from '../../src/main/services/referenceAdmin'
import { SyncError, createSyncTransport } from '../../src/main/sync/transport'

const admin: SessionInfo = {
  agentId: 'ag-alex',
  login: 'alex.admin',
  displayName: 'Alex Mathieu',
  roles: ['admin'],
  teamIds: [],
  kind: 'online',
  startedAt: '2026-03-02T08:00:00.000Z',
}
const supervisor: SessionInfo = { ...admin, login: 'sara.sup', roles: ['supervisor'] }

const team = { id: 'voirie', code: 'voirie', name: 'Voirie' }

interface Call {
  method: string
  url: string
  auth: string | null
  body: unknown
}

/** A fake server: one answer per call, in order; every request recorded. */
function fakeServer(...answers: Array<{ status: number; body: unknown } | Error>) {
  const calls: Call[] = []
  const fetch = vi.fn(async (url: string | URL | Request, init?: RequestInit) => {
    calls.push({
      method: init?.method ?? 'GET',
      url: String(url),
      auth: new Headers(init?.headers).get('authorization'),
      body: init?.body ? JSON.parse(String(init.body)) : undefined,
    })
    const next = answers.shift()
    if (!next) throw new Error('no more answers')
    if (next instanceof Error) throw next
    return new Response(JSON.stringify(next.body), {
      status: next.status,
      headers: { 'content-type': 'application/json' },
    })
  })
  const transport = createSyncTransport({ baseUrl: 'http://server.test/', timeoutMs: 1000, fetch })
  const afterChange = vi.fn()
  const remote: ReferenceAdminRemote = {
    withAccess: (fn) => fn('access-token'),
    transport,
    afterChange,
  }
  return { calls, afterChange, service: createReferenceAdminService(remote) }
}

async function refusal(promise: Promise<unknown>): Promise<CoreError> {
  try {
    await promise
  } catch (e) {
    if (e instanceof CoreError) return e
    throw e
  }
  throw new Error('expected a refusal')
}

describe('reference administration in the core', () => {
  it('is for administrators only, and needs a server', async () => {
    const { service, calls } = fakeServer()
    expect(await refusal(service.list(supervisor))).toMatchObject({ code: 'forbidden' })
    expect(calls).toEqual([])
    const local = createReferenceAdminService(null)
    expect(await refusal(local.list(supervisor))).toMatchObject({ code: 'forbidden' })
    expect(await refusal(local.list(admin))).toMatchObject({
      code: 'server_unavailable',
      message: NEEDS_SERVER,
    })
  })

  it('lists items with their versions, and workflows by name only', async () => {
    const { service, calls } = fakeServer({
      status: 200,
      body: {
        items: [
          { kind: 'team', id: 'voirie', version: 2, data: team },
          {
            kind: 'workflow',
            id: 'intervention',
            version: 0,
            data: {
              id: 'intervention',
              version: 3,
              definition: { name: { fr: 'Intervention', en: 'Intervention' }, states: [] },
            },
          },
          { kind: 'workflow', id: 'odd', version: 0, data: { id: 'odd', version: 1, definition: null } },
          // A kind this console does not know yet (a newer server): passed over.
          { kind: 'holiday', id: 'x', version: 0, data: {} },
        ],
      },
    })
    expect(await service.list(admin)).toEqual({
      items: [{ kind: 'team', id: 'voirie', version: 2, data: team }],
      workflows: [
        { id: 'intervention', version: 3, name: { fr: 'Intervention', en: 'Intervention' } },
        { id: 'odd', version: 1, name: null },
      ],
    })
    expect(calls).toEqual([
      {
        method: 'GET',
        url: 'http://server.test/api/v1/admin/reference',
        auth: 'Bearer access-token',
        body: undefined,
      },
    ])
  })

  it('saves on the version seen, then syncs so the console takes the new reference data', async () => {
    const { service, calls, afterChange } = fakeServer({
      status: 200,
      body: { item: { kind: 'team', id: 'voirie', version: 3, data: { ...team, name: 'Voirie Nancy' } } },
    })
    const saved = await service.save(admin, {
      kind: 'team',
      data: { ...team, name: 'Voirie Nancy' },
      baseVersion: 2,
    })
    expect(saved.version).toBe(3)
    expect(calls[0]).toEqual({
      method: 'PUT',
      url: 'http://server.test/api/v1/admin/reference/team/voirie',
      auth: 'Bearer access-token',
      body: { data: { ...team, name: 'Voirie Nancy' }, baseVersion: 2 },
    })
    expect(afterChange).toHaveBeenCalledTimes(1)
  })

  it('passes the server’s refusals on in its words, and syncs after nothing it refused', async () => {
    const conflict =
      'L’équipe a été modifiée par Sam Roux le 02/03/2026 10:15 : rechargez avant d’enregistrer.'
    const { service, calls, afterChange } = fakeServer(
      { status: 409, body: { error: { code: 'version_conflict', message: conflict } } },
      {
        status: 409,
        body: { error: { code: 'in_use', message: 'Cette équipe traite encore 37 demandes.' } },
      },
      {
        status: 400,
        body: { error: { code: 'invalid_input', message: 'Équipe : l’équipe « x » n’existe pas.' } },
      },
      { status: 403, body: { error: { code: 'forbidden', message: 'Réservé aux administrateurs.' } } },
      { status: 422, body: { error: { code: 'teapot', message: 'Bizarre.' } } },
    )
    const save = () => service.save(admin, { kind: 'team', data: team, baseVersion: 1 })
    expect(await refusal(save())).toMatchObject({ code: 'version_conflict', message: conflict })
    expect(
      await refusal(service.delete(admin, { kind: 'team', id: 'voirie', baseVersion: 2 })),
    ).toMatchObject({
      code: 'in_use',
      message: 'Cette équipe traite encore 37 demandes.',
    })
    expect(calls[1]).toMatchObject({
      method: 'DELETE',
      url: 'http://server.test/api/v1/admin/reference/team/voirie?baseVersion=2',
      body: undefined,
    })
    expect(await refusal(save())).toMatchObject({ code: 'invalid_input' })
    expect(await refusal(save())).toMatchObject({
      code: 'forbidden',
      message: 'Réservé aux administrateurs.',
    })
    expect(await refusal(save())).toMatchObject({ code: 'invalid_input', message: 'Bizarre.' })
    expect(afterChange).not.toHaveBeenCalled()
  })

  it('says a server is needed when it cannot be reached, answers badly, or lacks the routes', async () => {
    const { service } = fakeServer(
      new TypeError('fetch failed'),
      { status: 200, body: { items: [{ kind: 'team', id: 'voirie', version: -1, data: team }] } },
      // A server older than this console: its catch-all answer for an unknown route.
      { status: 404, body: { error: { code: 'not_found', message: 'Ressource inconnue.' } } },
      { status: 503, body: {} },
    )
    for (let i = 0; i < 4; i++) {
      const e = await refusal(service.list(admin))
      expect(e.code).toBe('server_unavailable')
      expect(e.message.startsWith(i === 2 ? 'Le serveur central ne propose pas' : NEEDS_SERVER)).toBe(true)
    }
  })

  it('says so when the server session expired and could not be renewed', async () => {
    const remote: ReferenceAdminRemote = {
      withAccess: () =>
        Promise.reject(new SyncError('auth', 'Votre session auprès du serveur a expiré.', 401)),
      transport: createSyncTransport({ baseUrl: 'http://server.test', timeoutMs: 1000 }),
      afterChange: vi.fn(),
    }
    const e = await refusal(createReferenceAdminService(remote).list(admin))
    expect(e).toMatchObject({
      code: 'server_unavailable',
      message: `${NEEDS_SERVER} Votre session auprès du serveur a expiré.`,
      details: { reason: 'Votre session auprès du serveur a expiré.' },
    })
  })

  it('turns the audit trail into changes: ids kept for the screen to name, outlines counted', async () => {
    const outline = {
      type: 'Polygon',
      coordinates: [
        [
          [6.1, 48.6],
          [6.2, 48.6],
          [6.2, 48.7],
          [6.1, 48.6],
        ],
      ],
    }
    const { service, calls } = fakeServer({
      status: 200,
      body: {
        entries: [
          {
            id: 9,
            kind: 'sector',
            itemId: 's1',
            version: 2,
            action: 'update',
            before: { id: 's1', name: 'Nord', communeCode: null, geometry: outline },
            after: { id: 's1', name: 'Secteur Nord', communeCode: '54395', geometry: outline },
            actorName: 'Alex Mathieu',
            at: Date.UTC(2026, 2, 2, 9, 30),
          },
          {
            id: 8,
            kind: 'sector',
            itemId: 's1',
            version: 1,
            action: 'delete',
            before: { id: 's1', name: 'Nord' },
            after: null,
            actorName: null,
            at: Date.UTC(2026, 2, 1, 9, 30),
          },
        ],
      },
    })
    const { entries } = await service.audit(admin, { kind: 'sector', id: 's1', limit: 20 })
    expect(calls[0]!.url).toBe('http://server.test/api/v1/admin/reference/audit?limit=20&kind=sector&id=s1')
    expect(entries).toEqual([
      {
        id: 9,
        kind: 'sector',
        itemId: 's1',
        version: 2,
        action: 'update',
        actorName: 'Alex Mathieu',
        at: '2026-03-02T09:30:00.000Z',
        name: 'Secteur Nord',
        changes: [
          { field: 'name', before: 'Nord', after: 'Secteur Nord' },
          { field: 'communeCode', before: null, after: '54395' },
        ],
      },
      {
        id: 8,
        kind: 'sector',
        itemId: 's1',
        version: 1,
        action: 'delete',
        actorName: null,
        at: '2026-03-01T09:30:00.000Z',
        name: 'Nord',
        changes: [],
      },
    ])
    expect(auditChanges('create', null, { id: 's2', name: 'Sud', geometry: outline })).toEqual([
      { field: 'name', before: null, after: 'Sud' },
      { field: 'geometry', before: null, after: { outline: { polygons: 1, vertices: 3 } } },
    ])
    expect(
      auditChanges(
        'update',
        { name: { fr: 'Voirie', en: 'Roads' } },
        { name: { fr: 'Voiries', en: 'Roads' } },
      ),
    ).toEqual([
      { field: 'name', before: { fr: 'Voirie', en: 'Roads' }, after: { fr: 'Voiries', en: 'Roads' } },
    ])
  })

  it('measures an outline: holes taken out, the closing position counted once', () => {
    // A 0.1° square around 48.65°N with a quarter-size hole.
    const ring = (x: number, y: number, d: number) => [
      [x, y],
      [x + d, y],
      [x + d, y + d],
      [x, y + d],
      [x, y],
    ]
    const figures = outlineSummary({
      type: 'Polygon',
      coordinates: [ring(6.1, 48.6, 0.1), ring(6.125, 48.625, 0.05)],
    })
    expect(figures.polygons).toBe(1)
    expect(figures.vertices).toBe(8)
    const full = 0.1 * 111.32 * Math.cos((48.65 * Math.PI) / 180) * 0.1 * 110.574
    expect(figures.areaKm2).toBeGreaterThan(full * 0.74)
    expect(figures.areaKm2).toBeLessThan(full * 0.76)
  })
})
