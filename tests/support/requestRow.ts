/**
 * A request row to insert straight into a test cache (`insertRequest`): an open, unassigned
 * « voirie » request with no dates but its creation, changed by `over`.
 */
import type { NewRequestRow } from '../../src/main/cache/queries/requests'

export function requestRow(
  id: string,
  over: Partial<NewRequestRow> & Pick<NewRequestRow, 'createdAt'>,
): NewRequestRow {
  return {
    id,
    reference: `GRC-TEST-${id}`,
    title: id,
    categoryId: 'voirie',
    subcategory: null,
    channel: 'phone',
    status: 'new',
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
    updatedAt: over.closedAt ?? over.createdAt,
    dueAt: null,
    closedAt: null,
    slaPausedMs: 0,
    slaPausedSince: null,
    version: 1,
    ...over,
  }
}
