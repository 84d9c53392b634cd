/** English words of the queue's multi-select and of the view's CSV export (same keys as selection.fr.ts). */
export const selectionEn = {
  panel: 'Selection',
  count: 'No request selected | 1 request selected | {n} requests selected',
  selectAll: 'Select the whole view',
  selectingAll: 'Selecting the whole view…',
  capped: 'The view holds more than {max} requests: only the first {max} are selected.',
  clear: 'Clear the selection',
  hint: 'Ctrl+click or x: add or remove a request; Shift+click or Shift+↓/↑: a range; Shift+x or Ctrl+A: the whole view; Escape: clear the selection.',
  export: {
    button: 'Export the view (CSV)',
    running: 'Exporting: {done} of {total} requests',
    progress: 'Export progress',
    done: 'No request exported | 1 request exported | {n} requests exported',
    file: 'requests',
    failed: 'The export failed: {reason}',
  },
}
