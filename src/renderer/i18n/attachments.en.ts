/** English words of a request's photos and documents (issue 14); merged into en.ts under `attachments`. */
export const attachmentsEn = {
  title: 'Attachments',
}
