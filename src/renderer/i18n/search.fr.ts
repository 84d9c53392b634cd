/** French words of searching the queue (issue 18); merged into fr.ts under `search`. */
export const searchFr = {
  /** The queue's empty state when a search finds nothing: what was searched, and where. */
  noResults: {
    /** Team filter chosen in the filter bar: {teams} is its team (or teams). */
    filteredTeam: 'Aucune demande pour « {text} » dans l’équipe {teams}.',
    filteredTeams: 'Aucune demande pour « {text} » dans les équipes {teams}.',
    /** No team filter: the agent's own teams, the only ones the search reads. */
    ownTeam: 'Aucune demande pour « {text} » dans votre équipe {teams}.',
    ownTeams: 'Aucune demande pour « {text} » dans vos équipes {teams}.',
    /** Supervisors, the DPO, administrators: every team. */
    allTeams: 'Aucune demande pour « {text} » dans toutes les équipes.',
  },
  /** Other filters narrow the search too: {filters} names them. */
  otherFilters: 'Filtres appliqués en plus : {filters}.',
  filterNames: {
    status: 'statut',
    categoryId: 'catégorie',
    assigneeId: 'assigné',
    priority: 'priorité',
    overdue: 'en retard',
  },
  /** Heard before the buttons: what they are for. */
  actions: 'Élargir la recherche',
  searchAllTeams: 'Chercher dans toutes mes équipes',
  withoutOtherFilters: 'Chercher sans les autres filtres',
  clearSearch: 'Effacer la recherche',
  /** Joins team or filter names: « Voirie, Voirie Nord ». */
  separator: ', ',
}
