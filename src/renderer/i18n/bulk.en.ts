/**
 * English words of the bulk actions on a map selection (merged into en.ts under `bulk`).
 * Plurals have three forms (none | one | many), called as `t(key, { n }, n)`.
 */
import type { bulkFr } from './bulk.fr'

export const bulkEn: typeof bulkFr = {
  title: 'Bulk actions',
  scope: 'No request selected | Applies to the selected request | Applies to the {n} selected requests',
  assign: {
    label: 'Assign to',
    choose: 'Choose someone…',
    nobody: 'Nobody (remove the assignment)',
    agents: 'Agents',
    technicians: 'Field technicians',
    submit: 'Assign the requests',
    required: 'Choose who to assign the requests to before confirming.',
    confirm:
      'Confirm: assign {n} request to {name}? | Confirm: assign {n} request to {name}? | Confirm: assign {n} requests to {name}?',
    confirmNobody:
      'Confirm: remove the assignment of {n} request? | Confirm: remove the assignment of {n} request? | Confirm: remove the assignment of {n} requests?',
    done: 'No request assigned | {n} request assigned to {name} | {n} requests assigned to {name}',
    cleared:
      'No assignment removed | Assignment removed from {n} request | Assignment removed from {n} requests',
  },
  transition: {
    label: 'Status change',
    choose: 'Choose a change…',
    loading: 'Looking for the status changes possible for the whole selection…',
    none: 'No status change is possible for all these requests at once: narrow the selection.',
    hint: 'This change needs some details: they will be recorded on every request.',
    required: 'Choose a status change before confirming.',
    missing: 'Fill in “{field}” before confirming.',
    submit: 'Apply to the requests',
    confirm:
      'Confirm: “{label}” for {n} request? | Confirm: “{label}” for {n} request? | Confirm: “{label}” for {n} requests?',
    done: 'No status changed | Status changed for {n} request: {label} | Status changed for {n} requests: {label}',
  },
  priority: {
    label: 'New priority',
    choose: 'Choose a priority…',
    submit: 'Change the priority',
    required: 'Choose a priority first.',
    confirm:
      'Confirm: priority “{label}” for {n} request? | Confirm: priority “{label}” for {n} request? | Confirm: priority “{label}” for {n} requests?',
    done: 'No priority changed | Priority “{label}” for {n} request | Priority “{label}” for {n} requests',
  },
  confirm: 'Confirm',
  cancel: 'Cancel',
  running: 'Working… | Working on {n} request… | Working on {n} requests…',
  refused: 'No request refused | {n} request refused: | {n} requests refused:',
  refusedList: 'Refused requests and why',
  refusedItem: '{reference}: {reason}',
}
