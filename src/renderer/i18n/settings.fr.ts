/** French words of the « Paramètres » screen (issue 17); merged into fr.ts under `settings`. */
export const settingsFr = {
  nav: 'Paramètres',
  title: 'Paramètres',
  intro:
    'La configuration en vigueur sur ce poste : chaque clé, sa valeur, d’où elle vient et si le service informatique l’a verrouillée.',
  preferences:
    'La langue et la densité d’affichage se changent dans la barre du haut ; les autres préférences ne se modifient pas encore depuis cet écran.',
  loading: 'Chargement des paramètres…',
  loadError: 'Les paramètres n’ont pas pu être lus : {reason}',
  retry: 'Réessayer',
  filter: 'Chercher une clé',
  filterPlaceholder: 'ex. : sync.serverUrl',
  count: '{shown} clé(s) sur {total}',
  noMatch: 'Aucune clé ne correspond à « {query} ».',
  caption: 'Configuration en vigueur',
  columns: {
    key: 'Clé',
    value: 'Valeur',
    layer: 'Fixée par',
    locked: 'Verrou',
  },
  layers: {
    default: 'Défaut',
    machine: 'Machine',
    user: 'Utilisateur',
    env: 'Variable d’environnement',
  },
  locked: 'verrouillée par le service informatique',
  unlocked: 'non verrouillée',
  empty: '(vide)',
  files: {
    title: 'Fichiers de configuration',
    intro: 'Appliqués dans cet ordre, le dernier l’emportant sauf sur les clés verrouillées.',
    none: 'Aucun fichier : les valeurs par défaut s’appliquent.',
    kinds: {
      machine: 'Machine',
      user: 'Utilisateur',
      env: 'GRC_CONFIG',
    },
  },
  diagnostic: {
    title: 'Diagnostic pour le support',
    intro:
      'Le diagnostic est un fichier zip avec les versions de l’application et du système, la configuration de cet écran (secrets masqués), les derniers journaux et des statistiques du cache (tailles, nombres de lignes, modifications en attente). Il ne contient aucune donnée d’usager : ni demande, ni nom, ni commentaire.',
    export: 'Exporter un diagnostic',
    exporting: 'Préparation du diagnostic…',
    done: 'Diagnostic enregistré : {file}',
    failed: 'Le diagnostic n’a pas pu être préparé : {reason}',
  },
}
