/** French words of a request's photos and documents (issue 14); merged into fr.ts under `attachments`. */
export const attachmentsFr = {
  title: 'Pièces jointes',
}
