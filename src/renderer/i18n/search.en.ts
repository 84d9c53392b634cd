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
  separator: ', ',
}
