/**
 * The id an agent gets the first time the directory names them: readable, stable, and the
 * same on every console and on the server (they must agree on who acts).
 */
export function agentIdFor(login: string): string {
  return `agent-${login
    .normalize('NFKC')
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9._-]/g, '_')}`
}
