/** Reference data, sessions and requests the fake core serves in component tests. */
import type { OutputOf, SessionInfo } from '../../../../src/shared/contract'
import type {
  RequestActions,
  RequestDetail,
  RequestSummary,
  Role,
  TransitionAvailability,
} from '../../../../src/shared/domain'
import type { Conflict, SyncStatus } from '../../../../src/shared/sync'
import { requestActions } from '../../../../src/core/authz/actions'

export const reference: OutputOf<'reference.get'> = {
  categories: [
    {
      id: 'cat-voirie',
      code: 'voirie',
      name: { fr: 'Voirie', en: 'Roads' },
      workflowId: 'intervention',
      defaultTeamId: 'team-roads',
      slaBusinessHours: 40,
      requiresLocation: true,
      subcategories: ['Nid-de-poule'],
    },
  ],
  teams: [
    { id: 'team-roads', code: 'VOI', name: 'Voirie Nancy' },
    { id: 'team-light', code: 'ECL', name: 'Éclairage' },
  ],
  agents: [
    { id: 'ag-zoe', login: 'zoe', displayName: 'Zoé Martin', roles: ['agent'], teamIds: ['team-roads'] },
    { id: 'ag-leo', login: 'leo', displayName: 'Léo Petit', roles: ['lead'], teamIds: ['team-roads'] },
    { id: 'ag-ana', login: 'ana', displayName: 'Ana Roux', roles: ['agent'], teamIds: ['team-light'] },
  ],
  statuses: [
    { id: 'new', label: { fr: 'Nouveau', en: 'New' }, kind: 'open' },
    { id: 'assigned', label: { fr: 'Assigné', en: 'Assigned' }, kind: 'open' },
    { id: 'rejected', label: { fr: 'Rejeté', en: 'Rejected' }, kind: 'closed' },
    { id: 'closed', label: { fr: 'Clos', en: 'Closed' }, kind: 'closed' },
  ],
}

export function sessionFor(roles: Role[], teamIds = ['team-roads']): SessionInfo {
  return {
    agentId: 'ag-zoe',
    login: 'zoe',
    displayName: 'Zoé Martin',
    roles,
    teamIds,
    kind: 'online',
    startedAt: '2026-03-02T08:00:00.000Z',
    // As the core says it (canChangeRequests): every role but the DPO's.
    changesRequests: roles.some((r) => r !== 'dpo'),
  }
}

/** `count` queue rows, numbered from `from`, newest first. */
export function summaries(count: number, from = 1): RequestSummary[] {
  return Array.from({ length: count }, (_, i) => {
    const n = from + i
    return {
      id: `r${n}`,
      reference: `GRC-2026-${String(n).padStart(6, '0')}`,
      title: `Nid-de-poule n°${n}`,
      categoryId: 'cat-voirie',
      status: 'new',
      statusKind: 'open',
      priority: 'normal',
      teamId: 'team-roads',
      assigneeId: null,
      address: `${n} rue Saint-Dizier, Nancy`,
      createdAt: '2026-03-01T09:00:00.000Z',
      updatedAt: '2026-03-01T09:00:00.000Z',
      dueAt: '2099-03-05T09:00:00.000Z',
    }
  })
}

export const XSS_DESCRIPTION = '<img src=x onerror=alert(1)><script>alert(2)</script>\nDeuxième ligne'

/** Every action allowed: a request as the core shows it to a role that may do everything here. */
export const EVERY_ACTION: RequestActions = {
  edit: { allowed: true },
  commentInternal: { allowed: true },
  commentPublic: { allowed: true },
  assign: { allowed: true },
  changeStatus: { allowed: true },
  readCitizen: { allowed: true },
}

export function detailOf(overrides: Partial<RequestDetail> = {}): RequestDetail {
  const [summary] = summaries(1)
  return {
    ...summary!,
    status: 'assigned',
    assigneeId: 'ag-zoe',
    subcategory: 'Nid-de-poule',
    channel: 'portal',
    description: 'Un trou profond devant le numéro 12.',
    location: { lat: 48.6921, lon: 6.1844 },
    hasCitizen: true,
    closedAt: null,
    fields: {},
    slaPausedMs: 0,
    version: 3,
    actions: EVERY_ACTION,
    ...overrides,
  }
}

/** The configuration's default `privacy.citizenDataRoles`. */
export const CITIZEN_DATA_ROLES: Role[] = ['agent', 'lead', 'supervisor', 'dpo']

/**
 * The detail as the core answers `request.get` to `session`: its actions decided by the
 * core's own function (src/core/authz/actions.ts), so these tests follow the core's rules.
 */
export function detailFor(
  session: SessionInfo,
  overrides: Partial<RequestDetail> = {},
  options: { citizenDataRoles?: Role[]; transitions?: TransitionAvailability } = {},
): RequestDetail {
  const detail = detailOf(overrides)
  const actions = requestActions(session, detail, {
    citizenDataRoles: options.citizenDataRoles ?? CITIZEN_DATA_ROLES,
    transitions: options.transitions ?? transitions,
  })
  return { ...detail, actions }
}

export const transitions: TransitionAvailability = {
  allowed: [
    {
      id: 'schedule',
      label: { fr: 'Planifier', en: 'Schedule' },
      to: 'scheduled',
      requires: ['scheduledFor'],
    },
    { id: 'reject', label: { fr: 'Rejeter', en: 'Reject' }, to: 'rejected', requires: ['reason'] },
    { id: 'start', label: { fr: 'Démarrer', en: 'Start' }, to: 'in_progress', requires: [] },
  ],
  blocked: [
    {
      id: 'close',
      label: { fr: 'Clore', en: 'Close' },
      to: 'closed',
      requires: ['resolutionNote'],
      reasons: [{ code: 'role', roles: ['lead', 'supervisor'] }],
    },
    {
      id: 'qualify',
      label: { fr: 'Qualifier', en: 'Qualify' },
      to: 'qualified',
      requires: [],
      reasons: [{ code: 'wrong_state', from: ['new'], current: 'assigned' }],
    },
  ],
}

export function syncStatus(overrides: Partial<SyncStatus> = {}): SyncStatus {
  return {
    configured: true,
    state: 'idle',
    pending: 0,
    conflicts: 0,
    lastSyncAt: null,
    lastError: null,
    initial: null,
    ...overrides,
  }
}

/** An edit of two fields that another agent also changed: mergeable field by field. */
export function conflictOf(overrides: Partial<Conflict> = {}): Conflict {
  return {
    id: 'cf1',
    requestId: 'r1',
    reference: 'GRC-2026-000001',
    title: 'Nid-de-poule n°1',
    op: 'update',
    madeAt: '2026-03-02T09:15:00.000Z',
    detectedAt: '2026-03-02T09:20:00.000Z',
    mergeable: true,
    kind: 'conflict',
    reason: null,
    fields: [
      {
        field: 'title',
        mine: 'Nid-de-poule profond',
        theirs: 'Nid-de-poule rue Saint-Dizier',
        theirActor: 'Léo Petit',
        theirAt: '2026-03-02T09:10:00.000Z',
      },
      {
        field: 'priority',
        mine: 'urgent',
        theirs: 'high',
        theirActor: 'Léo Petit',
        theirAt: '2026-03-02T09:11:00.000Z',
      },
    ],
    ...overrides,
  }
}
