/**
 * The handlers of the queue export (src/shared/channels/queueExport.ts): the view the agent
 * sees, read with the queue's own query and scope (the session's teams, names searched only
 * for a role that may read citizens), written as CSV that French Excel opens as it is.
 * The rows carry nothing personal: no citizen, no description.
 */
import { CSV_BOM, csvLine } from '../../shared/csv'
import type { Category, Priority, RequestSummary, StatusInfo } from '../../shared/domain'
import type { Handlers } from '../dispatch'
import { EXPORT_PAGE_ROWS, type queueExportChannels } from '../../shared/channels/queueExport'
import { countQueue, listQueue } from '../cache/queries/requests'
import { citizenDataRolesOf } from '../cache/queries/privacyPolicy'
import { listAgents, listCategories, listTeams } from '../cache/queries/reference'
import { canReadCitizen, scopeFor } from '../../core/authz/permissions'
import { statusesOf } from '../../core/workflow/engine'
import type { CoreDeps } from './deps'

export type QueueExportHandlers = Pick<Handlers, keyof ReturnType<typeof queueExportChannels>>

type Language = 'fr' | 'en'

const HEADERS: Record<Language, string[]> = {
  fr: [
    'Référence',
    'Titre',
    'Catégorie',
    'Statut',
    'Priorité',
    'Équipe',
    'Agent assigné',
    'Adresse',
    'Créée le',
    'Échéance',
    'Modifiée le',
    'Étiquettes',
  ],
  en: [
    'Reference',
    'Title',
    'Category',
    'Status',
    'Priority',
    'Team',
    'Assignee',
    'Address',
    'Created',
    'Due',
    'Updated',
    'Tags',
  ],
}

const PRIORITIES: Record<Language, Record<Priority, string>> = {
  fr: { low: 'Basse', normal: 'Normale', high: 'Haute', urgent: 'Urgente' },
  en: { low: 'Low', normal: 'Normal', high: 'High', urgent: 'Urgent' },
}

/** Local time in Paris as Excel reads it without a wizard: `2026-03-01 10:00`. */
const parisTime = new Intl.DateTimeFormat('sv-SE', {
  timeZone: 'Europe/Paris',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
})
const dateCell = (iso: string | null) => (iso ? parisTime.format(new Date(iso)) : null)

/** The names the rows point at, read once per page. */
function namesOf(deps: CoreDeps, language: Language) {
  const categories = new Map(listCategories(deps.db).map((c: Category) => [c.id, c.name[language]]))
  const teams = new Map(listTeams(deps.db).map((t) => [t.id, t.name]))
  const agents = new Map(listAgents(deps.db).map((a) => [a.id, a.displayName]))
  const statuses = new Map(
    statusesOf([...deps.workflows.values()]).map((s: StatusInfo) => [s.id, s.label[language]]),
  )
  return (row: RequestSummary) => [
    row.reference,
    row.title,
    categories.get(row.categoryId) ?? row.categoryId,
    statuses.get(row.status) ?? row.status,
    PRIORITIES[language][row.priority],
    teams.get(row.teamId) ?? row.teamId,
    row.assigneeId ? (agents.get(row.assigneeId) ?? row.assigneeId) : null,
    row.address,
    dateCell(row.createdAt),
    dateCell(row.dueAt),
    dateCell(row.updatedAt),
    // One cell: a filter on « presse » in Excel finds the requests carrying it.
    (row.tags ?? []).join(', '),
  ]
}

export function createQueueExportHandlers(deps: CoreDeps): QueueExportHandlers {
  const { db } = deps
  return {
    'queue.exportPage': ({ filter, sort, after, language }, { session }) => {
      const scope = scopeFor(session)
      const citizenNames = canReadCitizen(
        session,
        citizenDataRolesOf(db, deps.config.privacy.citizenDataRoles),
      )
      const now = deps.now()
      const page = listQueue(db, { scope, filter, sort, after, limit: EXPORT_PAGE_ROWS, now, citizenNames })
      const cellsOf = namesOf(deps, language)
      const first = after === null
      let csv = first ? CSV_BOM + csvLine(HEADERS[language]) : ''
      for (const row of page.rows) csv += csvLine(cellsOf(row))
      let total: number | null = null
      if (first) {
        // The counts leave the status filter out (the tabs show every status): add up the chosen ones.
        // The export's total is exact: a search's counts on screen stop at SEARCH_COUNT_CAP.
        const counts = countQueue(db, { scope, filter, now, citizenNames, cap: Infinity })
        total = filter.status?.length
          ? filter.status.reduce((sum, s) => sum + (counts.byStatus[s] ?? 0), 0)
          : counts.total
      }
      return { csv, rows: page.rows.length, nextCursor: page.nextCursor, total }
    },
  }
}
