/** French words of presence (issue 15); merged into fr.ts under `presence`. */
export const presenceFr = {
  region: 'Qui est sur cette demande',
  viewing: '{name} consulte cette demande',
  editing: {
    none: '{name} modifie cette demande',
    title: '{name} modifie le titre',
    description: '{name} modifie la description',
    priority: '{name} modifie la priorité',
    address: '{name} modifie l’adresse',
    assignee: '{name} change l’attribution',
    transition: '{name} change le statut',
    comment: '{name} rédige un commentaire',
  },
}
