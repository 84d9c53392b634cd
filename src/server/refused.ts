/**
 * A start refused before anything opens (a flag or the configuration says what cannot
 * run): its French message is the whole story, so the command line prints it without a stack.
 */
export class StartRefusedError extends Error {
  override name = 'StartRefusedError'
}
