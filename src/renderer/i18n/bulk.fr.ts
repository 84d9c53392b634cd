/**
 * French words of the bulk actions on a map selection (merged into fr.ts under `bulk`).
 * Plurals have three forms (none | one | many), called as `t(key, { n }, n)`.
 */
export const bulkFr = {
  title: 'Actions groupées',
  scope:
    'Aucune demande sélectionnée | S’applique à la demande sélectionnée | S’applique aux {n} demandes sélectionnées',
  assign: {
    label: 'Assigner à',
    choose: 'Choisir une personne…',
    nobody: 'Personne (retirer l’assignation)',
    agents: 'Agents',
    technicians: 'Techniciens de terrain',
    submit: 'Assigner les demandes',
    required: 'Choisissez à qui assigner les demandes avant de valider.',
    confirm:
      'Confirmer : assigner {n} demande à {name} ? | Confirmer : assigner {n} demande à {name} ? | Confirmer : assigner {n} demandes à {name} ?',
    confirmNobody:
      'Confirmer : retirer l’assignation de {n} demande ? | Confirmer : retirer l’assignation de {n} demande ? | Confirmer : retirer l’assignation de {n} demandes ?',
    done: 'Aucune demande assignée | {n} demande assignée à {name} | {n} demandes assignées à {name}',
    cleared:
      'Aucune assignation retirée | Assignation retirée pour {n} demande | Assignation retirée pour {n} demandes',
  },
  transition: {
    label: 'Changement de statut',
    choose: 'Choisir un changement…',
    loading: 'Recherche des changements de statut possibles pour toute la sélection…',
    none: 'Aucun changement de statut n’est possible pour toutes ces demandes à la fois : affinez la sélection.',
    hint: 'Ce changement demande des informations : elles seront enregistrées sur chaque demande.',
    required: 'Choisissez un changement de statut avant de valider.',
    missing: 'Renseignez le champ « {field} » avant de valider.',
    submit: 'Appliquer aux demandes',
    confirm:
      'Confirmer : « {label} » pour {n} demande ? | Confirmer : « {label} » pour {n} demande ? | Confirmer : « {label} » pour {n} demandes ?',
    done: 'Aucun statut changé | Statut changé pour {n} demande : {label} | Statut changé pour {n} demandes : {label}',
  },
  priority: {
    label: 'Nouvelle priorité',
    choose: 'Choisir une priorité…',
    submit: 'Changer la priorité',
    required: 'Choisissez une priorité avant de valider.',
    confirm:
      'Confirmer : priorité « {label} » pour {n} demande ? | Confirmer : priorité « {label} » pour {n} demande ? | Confirmer : priorité « {label} » pour {n} demandes ?',
    done: 'Aucune priorité changée | Priorité « {label} » pour {n} demande | Priorité « {label} » pour {n} demandes',
  },
  confirm: 'Confirmer',
  cancel: 'Annuler',
  running:
    'Traitement en cours… | Traitement de {n} demande en cours… | Traitement de {n} demandes en cours…',
  refused: 'Aucune demande refusée | {n} demande refusée : | {n} demandes refusées :',
  refusedList: 'Demandes refusées et motif',
  refusedItem: '{reference} : {reason}',
}
