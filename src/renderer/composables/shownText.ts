/**
 * User text as it is shown, never as it is stored: the characters that reorder or hide
 * what follows them (bidi overrides, embeddings and isolates: `\u202Egnp.exe` would read
 * « exe.png ») and control characters become a visible « � », so an agent sees the text in
 * its real order. The stored text is untouched (an edit form gets it as it is).
 * The plain marks (LRM, RLM, ALM) stay: they order punctuation in right-to-left names.
 */
// Matching control characters is the point here.
// eslint-disable-next-line no-control-regex
const HIDDEN = /[\u202A-\u202E\u2066-\u2069\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g

export function shown(text: string | null | undefined): string {
  return text ? text.replace(HIDDEN, '\uFFFD') : ''
}
