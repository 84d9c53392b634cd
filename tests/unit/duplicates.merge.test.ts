/**
 * The core's merge decision (src/core/requests/merge.ts): who may merge what into what, in
 * words, and what a merge writes; the same on the console and on the server.
 */
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import type { SessionInfo } from '../../src/shared/contract'
import type { Category, Comment } from '../../src/shared/domain'
import type { RequestRecord } from '../../src/shared/sync'
import { parseConfig } from '../../src/core/config'
import { loadWorkflowDefinitions } from '../../src/core/workflow/definitions'
import { carriedId, decideMerge, mergeAvailability } from '../../src/core/requests/merge'
import { decideRequestOp, type OpContext } from '../../src/core/requests/operations'

const workflows = loadWorkflowDefinitions(
  fileURLToPath(new URL('../../resources/workflows', import.meta.url)),
)
const category = { id: 'voirie-chaussee', workflowId: 'intervention' } as Category
const ctx: OpContext = {
  workflows,
  calendar: parseConfig({}).sla,
  ref: {
    category: (id) => (id === category.id ? category : undefined),
    agent: () => undefined,
    routingRules: () => [],
    sectors: () => [],
  },
}

const session = (roles: SessionInfo['roles'], teamIds = ['voirie']): SessionInfo => ({
  agentId: 'agent-zoe',
  login: 'zoe',
  displayName: 'Zoé Marchal',
  roles,
  teamIds,
  kind: 'online',
  startedAt: '2026-12-07T07:00:00Z',
})
const zoe = session(['agent'])

const row = (n: number, over: Partial<RequestRecord> = {}): RequestRecord => ({
  id: `r${n}`,
  reference: `GRC-2026-00000${n}`,
  title: 'Nid-de-poule',
  categoryId: category.id,
  subcategory: null,
  channel: 'phone',
  status: 'qualified',
  statusKind: 'open',
  priority: 'normal',
  teamId: 'voirie',
  assigneeId: null,
  description: '',
  address: null,
  lat: null,
  lon: null,
  citizenId: null,
  fields: {},
  createdAt: 0,
  updatedAt: 0,
  dueAt: null,
  closedAt: null,
  slaPausedMs: 0,
  slaPausedSince: null,
  version: 2,
  ...over,
})

const note = (id: string): Comment => ({
  id,
  requestId: 'r2',
  kind: 'internal',
  body: `note ${id}`,
  authorId: 'agent-luc',
  authorName: 'Luc Henrion',
  createdAt: '2026-12-01T10:00:00.000Z',
})

const refusal = (s: SessionInfo, master: RequestRecord, duplicate: RequestRecord) =>
  mergeAvailability(ctx, s, master, duplicate)

describe('merging a duplicate into its master', () => {
  it('links the duplicate, marks it merged and copies its comments under ids stable across tries', () => {
    const master = row(1)
    const duplicate = row(2, { citizenId: 'c9' })
    const carried = { comments: [note('a'), note('b')], attachmentIds: ['f1'], masterAttachments: 3 }
    const decision = decideMerge(ctx, zoe, master, duplicate, carried, 1000)
    expect(decision.linked).toEqual({ transitionId: 'mark_duplicate', from: 'qualified', to: 'duplicate' })
    expect(decision.duplicate).toMatchObject({
      status: 'duplicate',
      statusKind: 'closed',
      fields: { duplicateOf: 'GRC-2026-000001', mergedInto: 'GRC-2026-000001' },
    })
    expect(decision.comments.map((c) => [c.requestId, c.body, c.authorName])).toEqual([
      ['r1', 'note a', 'Luc Henrion'],
      ['r1', 'note b', 'Luc Henrion'],
    ])
    expect(decision.comments.map((c) => c.id)).toEqual([carriedId('r1', 'a'), carriedId('r1', 'b')])
    expect(decideMerge(ctx, zoe, master, duplicate, carried, 2000).comments.map((c) => c.id)).toEqual(
      decision.comments.map((c) => c.id),
    )
    expect(carriedId('r1', 'a')).not.toBe(carriedId('r3', 'a'))
    expect(decision.attachmentCopies.get('f1')).toBe(carriedId('r1', 'f1'))
    expect(decision.history.master.data).toMatchObject({
      direction: 'in',
      otherReference: 'GRC-2026-000002',
      comments: 2,
      attachments: 1,
      citizen: true,
    })
    expect(decision.history.duplicate.data).toMatchObject({
      direction: 'out',
      otherReference: 'GRC-2026-000001',
    })
  })

  it('keeps a duplicate already linked to this master where it is', () => {
    const linked = row(2, {
      status: 'duplicate',
      statusKind: 'closed',
      fields: { duplicateOf: 'GRC-2026-000001' },
    })
    const decision = decideMerge(
      ctx,
      zoe,
      row(1),
      linked,
      { comments: [], attachmentIds: [], masterAttachments: 0 },
      5,
    )
    expect(decision.linked).toBeNull()
    expect(decision.duplicate).toMatchObject({
      status: 'duplicate',
      fields: { mergedInto: 'GRC-2026-000001' },
    })
  })

  it('refuses, in words, what cannot be merged', () => {
    const master = row(1)
    expect(refusal(session(['technician']), master, row(2))).toMatchObject({
      allowed: false,
      refusal: 'role',
    })
    expect(refusal(zoe, master, master).reason).toContain('dans elle-même')
    expect(refusal(zoe, row(1, { fields: { duplicateOf: 'GRC-2026-000007' } }), row(2)).reason).toContain(
      'fusionnez plutôt dans GRC-2026-000007',
    )
    expect(refusal(zoe, row(1, { status: 'closed', statusKind: 'closed' }), row(2)).reason).toContain(
      'est close',
    )
    expect(
      refusal(
        zoe,
        master,
        row(2, { status: 'duplicate', statusKind: 'closed', fields: { duplicateOf: 'X', mergedInto: 'X' } }),
      ).reason,
    ).toContain('a déjà été fusionnée dans X')
    expect(refusal(zoe, master, row(2, { status: 'closed', statusKind: 'closed' }))).toMatchObject({
      allowed: false,
      refusal: 'state',
    })
    // Out of sight: answered as any request the agent may not see.
    expect(() =>
      decideMerge(
        ctx,
        session(['agent'], ['eclairage']),
        master,
        row(2),
        { comments: [], attachmentIds: [], masterAttachments: 0 },
        1,
      ),
    ).toThrow('Demande introuvable.')
    expect(() =>
      decideMerge(ctx, zoe, master, row(2), { comments: [], attachmentIds: ['f'], masterAttachments: 50 }, 1),
    ).toThrow('50 au plus par demande')
  })

  it('never takes a merged duplicate back to work', () => {
    const merged = row(2, {
      status: 'duplicate',
      statusKind: 'closed',
      fields: { duplicateOf: 'GRC-2026-000001', mergedInto: 'GRC-2026-000001' },
    })
    const unlink = { op: 'transition' as const, payload: { transitionId: 'unlink_duplicate', fields: {} } }
    expect(() => decideRequestOp(ctx, zoe, merged, unlink, 1)).toThrow('ne peut plus être déliée')
  })
})
