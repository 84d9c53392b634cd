/** French words of tags (« étiquettes », issue 15); merged into fr.ts under `tags`. */
export const tagsFr = {
  title: 'Étiquettes',
  /** The list of a request's tags, for screen readers. */
  list: 'Étiquettes de la demande',
  none: 'Aucune étiquette.',
  addLabel: 'Ajouter une étiquette',
  addPlaceholder: 'presse, élu, hiver 2026…',
  add: 'Ajouter',
  remove: 'Retirer l’étiquette « {tag} »',
  added: 'Étiquette « {tag} » ajoutée.',
  removed: 'Étiquette « {tag} » retirée.',
  required: 'Saisissez une étiquette.',
  /** The queue's filter. */
  filter: 'Étiquette',
  /** A saved view holding several tags: the select says so. */
  many: 'Plusieurs étiquettes',
  loadError: 'Les étiquettes en usage n’ont pas pu être lues.',
  /** In the history. */
  history: {
    added: 'Étiquettes ajoutées : {tags}',
    removed: 'Étiquettes retirées : {tags}',
    both: 'Étiquettes ajoutées : {added} ; retirées : {removed}',
    unchanged: 'Étiquettes inchangées',
  },
  /** The bulk action on a selection. */
  bulk: {
    label: 'Étiquettes',
    mode: 'Action sur les étiquettes',
    modeAdd: 'Ajouter',
    modeRemove: 'Retirer',
    input: 'Étiquette',
    submit: 'Appliquer',
    required: 'Saisissez l’étiquette à ajouter ou à retirer avant de valider.',
    confirmAdd:
      'Confirmer : ajouter l’étiquette « {tag} » à {n} demande ? | Confirmer : ajouter l’étiquette « {tag} » à {n} demande ? | Confirmer : ajouter l’étiquette « {tag} » à {n} demandes ?',
    confirmRemove:
      'Confirmer : retirer l’étiquette « {tag} » de {n} demande ? | Confirmer : retirer l’étiquette « {tag} » de {n} demande ? | Confirmer : retirer l’étiquette « {tag} » de {n} demandes ?',
    doneAdd:
      'Aucune demande étiquetée | Étiquette « {tag} » sur {n} demande | Étiquette « {tag} » sur {n} demandes',
    doneRemove:
      'Aucune étiquette retirée | Étiquette « {tag} » retirée de {n} demande | Étiquette « {tag} » retirée de {n} demandes',
  },
}
