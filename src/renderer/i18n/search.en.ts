/** English words: the same keys as search.fr.ts (the type enforces it). */
import type { searchFr } from './search.fr'

export const searchEn: typeof searchFr = {
  noResults: {
    filteredTeam: 'No request for “{text}” in the team {teams}.',
    filteredTeams: 'No request for “{text}” in the teams {teams}.',
    ownTeam: 'No request for “{text}” in your team {teams}.',
    ownTeams: 'No request for “{text}” in your teams {teams}.',
    allTeams: 'No request for “{text}” in any team.',
  },
  otherFilters: 'Other filters applied: {filters}.',
  filterNames: {
    status: 'status',
    categoryId: 'category',
    assigneeId: 'assignee',
    priority: 'priority',
    overdue: 'overdue',
  },
  actions: 'Widen the search',
  searchAllTeams: 'Search all my teams',
  withoutOtherFilters: 'Search without the other filters',
  clearSearch: 'Clear the search',
  lookup: {
    title: 'Find a citizen',
    byEmail: 'Find the citizen with this e-mail address',
    byPhone: 'Find the citizen with this number',
    logged: 'Searched on the central server; each citizen shown is written to the access log.',
    noneEmail: 'No citizen has exactly this e-mail address.',
    nonePhone: 'No citizen has exactly this number.',
    citizen: '{name} — no request | {name} — {n} request | {name} — {n} requests',
    notCached:
      '{n} more request not synced to this computer yet. | {n} more requests not synced to this computer yet.',
  },
  capped: {
    moreThan: 'more than {n}',
    atLeast: '{n}+',
    note: 'Very broad search: counts taken from the {n} most recent requests found.',
  },
  separator: ', ',
}
