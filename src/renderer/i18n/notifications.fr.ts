/** French words of notifications (issue 15); merged into fr.ts under `notifications`. */
export const notificationsFr = {
  /** The bell's accessible name, with the unread count. */
  bell: 'Notifications, aucune non lue | Notifications, {n} non lue | Notifications, {n} non lues',
  title: 'Notifications',
  empty: 'Aucune notification pour le moment.',
  markAllRead: 'Tout marquer comme lu',
  close: 'Fermer',
  unread: 'non lue',
  justNow: 'à l’instant',
  loadError: 'Les notifications n’ont pas pu être lues ({reason}).',
  retry: 'Réessayer',
  /** One notification in words; `{reference}` is the request's reference. */
  words: {
    assigned: 'Demande {reference} vous a été attribuée par {actor}',
    assignedBySomeone: 'Demande {reference} vous a été attribuée',
    sla_soon: 'Demande {reference} dépasse son délai dans {left} ouvrées',
    conflict: 'Conflit sur la demande {reference} : votre modification attend votre choix',
    rejected: 'Modification refusée sur la demande {reference}',
    mention: '{actor} vous a mentionné dans la demande {reference}',
    mentionBySomeone: 'Vous avez été mentionné dans la demande {reference}',
  },
  /** Business time left: « 1 h 30 », « 2 h », « 45 min ». */
  duration: {
    hoursMinutes: '{h} h {m}',
    hours: '{h} h',
    minutes: '{m} min',
  },
  settings: {
    title: 'Notifications',
    intro:
      'Ce que la console vous signale dans la cloche de la barre du haut, et par le système quand la fenêtre n’est pas au premier plan.',
    kinds: {
      assigned: 'Une demande m’est attribuée par quelqu’un d’autre',
      sla_soon: 'Une de mes demandes ouvertes arrive à moins de {left} ouvrées de son délai',
      conflict: 'Une de mes modifications est en conflit ou refusée par le serveur',
      mention: 'Quelqu’un me mentionne dans un commentaire ({at}identifiant)',
    },
    forcedOff: 'Désactivé par le service informatique dans la configuration du poste.',
    system:
      'Notifications du système : affichées quand la fenêtre n’est pas au premier plan (le mode « Ne pas déranger » du système s’applique).',
    systemOff: 'Notifications du système : désactivées dans la configuration du poste.',
    loadError: 'Vos réglages de notifications n’ont pas pu être lus ({reason}).',
  },
}
