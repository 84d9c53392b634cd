/**
 * French words of the « Modèles de réponse » tab of the Administration screen (issue 14);
 * merged into fr.ts under `templates`. Placeholders written as text (`{reference}`) are
 * passed as values, never typed here: `{` is vue-i18n's own.
 */
import { PLACEHOLDERS, type Placeholder } from '../../shared/noticeTemplates'

export const templatesFr = {
  tab: 'Modèles de réponse',
  title: 'Modèles de réponse aux usagers',
  intro:
    'Ce que disent les messages que le serveur envoie aux usagers, par catégorie et par événement. Le modèle général vaut pour toute catégorie qui n’a pas le sien.',
  loading: 'Chargement des modèles depuis le serveur central…',
  unavailable: 'Les modèles de réponse demandent une connexion au serveur central.',
  retry: 'Réessayer',
  pick: 'Choix du modèle',
  categoryFilter: 'Chercher une catégorie',
  categoryFilterHint: 'Accents et majuscules ignorés.',
  category: 'Catégorie',
  allCategories: 'Toutes les catégories (modèle général)',
  noMatch: 'Aucune catégorie ne correspond à « {q} ».',
  event: 'Événement',
  events: {
    public_reply: 'Réponse publique',
    transition: 'Changement de statut (tous les autres)',
    master_resolved: 'Demande principale résolue (doublons)',
    transitionOf: 'Changement de statut : {label}',
  },
  source: {
    default: 'Modèle livré avec l’application, pas encore modifié sur ce serveur.',
    server: 'Version {version}, enregistrée sur le serveur par {by} le {date}.',
    inherited:
      'Pas de modèle propre : le texte en vigueur est celui de « {from} ». L’enregistrer crée le modèle de cette catégorie.',
  },
  editor: 'Texte du modèle',
  subject: 'Objet du courriel',
  body: 'Texte du courriel',
  sms: 'Texte du SMS',
  placeholders: 'Variables',
  placeholdersHint:
    'Un clic insère la variable là où se trouve le curseur, dans le dernier champ utilisé ({field}).',
  insert: 'Insérer {name} : {meaning}',
  fields: { subject: 'l’objet', body: 'le texte du courriel', sms: 'le SMS' },
  unknown: 'Variable inconnue dans {field} : {names}. Le serveur refuserait ce modèle.',
  agentRefused:
    '{name} dans {field} : le nom de l’agent n’est jamais envoyé à l’usager, la configuration du serveur ne le permet pas.',
  empty: '{field} est vide.',
  sms160: {
    gsm7: '{units} caractères avec les valeurs d’exemple — {segments} SMS (alphabet GSM : 160 caractères pour un SMS, 153 par partie au-delà)',
    ucs2: '{units} caractères avec les valeurs d’exemple — {segments} SMS (Unicode à cause de {chars} : 70 caractères pour un SMS, 67 par partie au-delà)',
  },
  preview: 'Aperçu avec des valeurs d’exemple',
  previewHint: 'Les valeurs sont des exemples ; le serveur met celles de la demande.',
  previewSubject: 'Objet',
  previewBody: 'Courriel',
  previewSms: 'SMS',
  save: 'Enregistrer le modèle',
  saving: 'Enregistrement…',
  unsaved: 'Modifications non enregistrées.',
  revert: 'Annuler les modifications',
  saved: 'Modèle enregistré sur le serveur : les prochains messages le suivent.',
  reset: 'Revenir au modèle par défaut',
  resetConfirm:
    'Le texte enregistré sur le serveur pour ce modèle sera abandonné, et le modèle par défaut repris. Continuer ?',
  resetYes: 'Revenir au modèle par défaut',
  resetNo: 'Garder ce modèle',
  resetDone: 'Modèle par défaut rétabli : les prochains messages le suivent.',
  conflict: {
    title: 'Texte enregistré entre-temps',
    kept: 'Votre texte est conservé ci-dessus. Enregistrer de nouveau remplacera celui-ci :',
    take: 'Reprendre le texte en vigueur',
  },
  failed: 'Échec : {message}',
  /** What each placeholder stands for: the server's own words. */
  placeholderMeanings: PLACEHOLDERS as Record<Placeholder, string>,
}
