/**
 * French words of the queue's multi-select and of the view's CSV export (merged into fr.ts
 * under `selection`). Plurals have three forms (none | one | many), called as `t(key, { n }, n)`.
 */
export const selectionFr = {
  panel: 'Sélection',
  count: 'Aucune demande sélectionnée | 1 demande sélectionnée | {n} demandes sélectionnées',
  selectAll: 'Tout sélectionner dans la vue',
  selectingAll: 'Sélection de toute la vue…',
  capped: 'La vue compte plus de {max} demandes : seules les {max} premières sont sélectionnées.',
  clear: 'Désélectionner tout',
  hint: 'Ctrl+clic ou x : ajouter ou retirer une demande ; Maj+clic ou Maj+↓/↑ : une plage ; Maj+x ou Ctrl+A : toute la vue ; Échap : tout désélectionner.',
  export: {
    button: 'Exporter la vue (CSV)',
    running: 'Export en cours : {done} sur {total} demandes',
    progress: 'Progression de l’export',
    done: 'Aucune demande exportée | 1 demande exportée | {n} demandes exportées',
    file: 'demandes',
    failed: 'L’export n’a pas abouti : {reason}',
  },
}
