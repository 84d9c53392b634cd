/**
 * French words of the notices sent to citizens by the server (issue 14): how the history
 * tells an agent that a reply or a status change reached the citizen, failed, or bounced.
 * Merged into fr.ts under `notices`; `noticeHistoryKindsFr` goes into `history.kinds`.
 */
export const noticesFr = {
  channel: {
    email: 'par courriel',
    sms: 'par SMS',
  },
  event: {
    master_resolved: 'demande principale résolue',
    public_reply: 'réponse publique',
    transition: 'changement de statut',
  },
  sent: 'Avis envoyé à l’usager {channel} ({event})',
  retrying:
    'Échec de l’envoi de l’avis {channel} ({event}), essai {attempt} : {reason}. Nouvel essai le {retryAt}',
  failed: 'Avis non envoyé à l’usager ({event}) : {reason}',
  bounced: 'Avis refusé {channel} ({event}) : {reason}',
  unreached: 'Le dernier avis n’a pas atteint l’usager : prévenez-le autrement.',
  problem: 'Avis non remis',
}

/** One plain sentence per notice kind, for lists that show no details (the i18n keys test asks for them). */
export const noticeHistoryKindsFr = {
  notice_sent: 'Avis envoyé à l’usager',
  notice_failed: 'Échec de l’envoi d’un avis à l’usager',
  notice_bounced: 'Avis refusé : adresse ou numéro invalide',
}
