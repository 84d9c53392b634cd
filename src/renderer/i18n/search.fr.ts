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
  /** A citizen found by their exact e-mail or phone on the server (supervisors, DPO). */
  lookup: {
    title: 'Retrouver un usager',
    byEmail: 'Chercher l’usager qui a cette adresse e-mail',
    byPhone: 'Chercher l’usager qui a ce numéro',
    logged:
      'Recherche faite sur le serveur central ; chaque usager affiché est inscrit au journal des accès.',
    noneEmail: 'Aucun usager n’a exactement cette adresse e-mail.',
    nonePhone: 'Aucun usager n’a exactement ce numéro.',
    citizen: '{name} — aucune demande | {name} — {n} demande | {name} — {n} demandes',
    notCached:
      '{n} autre demande pas encore synchronisée sur ce poste. | {n} autres demandes pas encore synchronisées sur ce poste.',
  },
  /**
   * Counts while searching a word that matches more than the counts read (issue 16): the
   * total is « plus de {n} », each status or overdue count a lower bound, and why.
   */
  capped: {
    moreThan: 'plus de {n}',
    atLeast: '{n}+',
    note: 'Recherche très large : comptes établis sur les {n} demandes trouvées les plus récentes.',
  },
  /** Joins team or filter names: « Voirie, Voirie Nord ». */
  separator: ', ',
}
