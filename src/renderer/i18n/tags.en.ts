import type { tagsFr } from './tags.fr'

/** English words of tags (issue 15); merged into en.ts under `tags`. */
export const tagsEn: typeof tagsFr = {
  title: 'Tags',
  list: 'Tags of the request',
  none: 'No tags.',
  addLabel: 'Add a tag',
  addPlaceholder: 'press, councillor, winter 2026…',
  add: 'Add',
  remove: 'Remove the tag “{tag}”',
  added: 'Tag “{tag}” added.',
  removed: 'Tag “{tag}” removed.',
  required: 'Type a tag.',
  filter: 'Tag',
  many: 'Several tags',
  loadError: 'The tags in use could not be read.',
  history: {
    added: 'Tags added: {tags}',
    removed: 'Tags removed: {tags}',
    both: 'Tags added: {added}; removed: {removed}',
    unchanged: 'Tags unchanged',
  },
  bulk: {
    label: 'Tags',
    mode: 'Tag action',
    modeAdd: 'Add',
    modeRemove: 'Remove',
    input: 'Tag',
    submit: 'Apply',
    required: 'Type the tag to add or remove before applying.',
    confirmAdd:
      'Confirm: add the tag “{tag}” to {n} request? | Confirm: add the tag “{tag}” to {n} request? | Confirm: add the tag “{tag}” to {n} requests?',
    confirmRemove:
      'Confirm: remove the tag “{tag}” from {n} request? | Confirm: remove the tag “{tag}” from {n} request? | Confirm: remove the tag “{tag}” from {n} requests?',
    doneAdd: 'No request tagged | Tag “{tag}” on {n} request | Tag “{tag}” on {n} requests',
    doneRemove:
      'No tag removed | Tag “{tag}” removed from {n} request | Tag “{tag}” removed from {n} requests',
  },
}
