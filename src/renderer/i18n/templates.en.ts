/** English words of the « Modèles de réponse » tab (issue 14): the same keys as templates.fr.ts. */
import type { templatesFr } from './templates.fr'

export const templatesEn: typeof templatesFr = {
  tab: 'Reply templates',
  title: 'Reply templates for citizens',
  intro:
    'What the messages the server sends to citizens say, per category and per event. The general template applies to any category without its own.',
  loading: 'Loading templates from the central server…',
  unavailable: 'Reply templates need a connection to the central server.',
  retry: 'Try again',
  pick: 'Template choice',
  categoryFilter: 'Search a category',
  categoryFilterHint: 'Accents and case ignored.',
  category: 'Category',
  allCategories: 'All categories (general template)',
  noMatch: 'No category matches “{q}”.',
  event: 'Event',
  events: {
    public_reply: 'Public reply',
    transition: 'Status change (all others)',
    master_resolved: 'Master request resolved (duplicates)',
    transitionOf: 'Status change: {label}',
  },
  source: {
    default: 'Template shipped with the application, not changed on this server yet.',
    server: 'Version {version}, saved on the server by {by} on {date}.',
    inherited:
      'No template of its own: the text in force is the one of “{from}”. Saving creates this category’s template.',
  },
  editor: 'Template text',
  subject: 'E-mail subject',
  body: 'E-mail text',
  sms: 'SMS text',
  placeholders: 'Placeholders',
  placeholdersHint: 'A click inserts the placeholder at the cursor, in the last field used ({field}).',
  insert: 'Insert {name}: {meaning}',
  fields: { subject: 'the subject', body: 'the e-mail text', sms: 'the SMS' },
  unknown: 'Unknown placeholder in {field}: {names}. The server would refuse this template.',
  agentRefused:
    '{name} in {field}: the agent’s name is never sent to citizens, the server’s configuration does not allow it.',
  empty: '{field} is empty.',
  sms160: {
    gsm7: '{units} characters with the sample values — {segments} SMS (GSM alphabet: 160 characters for one SMS, 153 per part beyond)',
    ucs2: '{units} characters with the sample values — {segments} SMS (Unicode because of {chars}: 70 characters for one SMS, 67 per part beyond)',
  },
  preview: 'Preview with sample values',
  previewHint: 'The values are samples; the server uses the request’s own.',
  previewSubject: 'Subject',
  previewBody: 'E-mail',
  previewSms: 'SMS',
  save: 'Save the template',
  saving: 'Saving…',
  unsaved: 'Unsaved changes.',
  revert: 'Discard changes',
  saved: 'Template saved on the server: the next messages follow it.',
  reset: 'Back to the default template',
  resetConfirm:
    'The text saved on the server for this template will be dropped and the default one used. Go on?',
  resetYes: 'Back to the default template',
  resetNo: 'Keep this template',
  resetDone: 'Default template restored: the next messages follow it.',
  conflict: {
    title: 'Text saved in the meantime',
    kept: 'Your text is kept above. Saving again will replace this one:',
    take: 'Take the text in force',
  },
  failed: 'Failed: {message}',
}
