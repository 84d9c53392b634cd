/** French words of the command palette (issue 15, Ctrl+K); merged into fr.ts under `palette`. */
export const paletteFr = {
  title: 'Palette de commandes',
  input: 'Commande, demande ou écran',
  placeholder: 'Référence (239), mots, action, écran, personne…',
  results: 'Résultats',
  hint: '↑ ↓ pour choisir, Entrée pour lancer, Échap pour fermer.',
  /** Read out as the list changes. */
  count: 'Aucun résultat | {n} résultat | {n} résultats',
  searching: 'Recherche des demandes…',
  searchFailed: 'La recherche des demandes n’a pas abouti.',
  none: 'Aucune commande ne correspond à « {text} ».',
  groups: {
    requests: 'Demandes',
    actions: 'Actions',
    screens: 'Écrans',
    assign: 'Attribuer',
  },
  /** The shortcut the palette names beside a command: « raccourci : t ». */
  shortcut: 'raccourci : {keys}',
  request: '{reference} — {title}',
  screen: 'Aller à : {name}',
  view: 'Vue enregistrée : {name}',
  transition: 'Statut : {label}',
  assignTo: 'Assigner à {name}',
  unassign: 'Retirer l’assignation',
  selectionTransition: 'Sélection : {label}',
  selectionAssignTo: 'Sélection : assigner à {name}',
  selectionPriority: 'Sélection : changer la priorité',
  goTransition: 'Aller au changement de statut',
  goAssign: 'Aller à l’assignation',
  goComment: 'Aller au commentaire',
  goSearch: 'Aller à la recherche',
  /** The line of the shortcut overlay (`?`). */
  help: 'Ouvrir la palette de commandes',
}
