/**
 * The shell's error log. Callers pass where it happened and the error, never the input
 * that caused it: contract inputs carry citizens' names, addresses and phone numbers.
 */
export function logShellError(where: string, error: unknown): void {
  const text = error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : String(error)
  console.error(`[grc] ${where}: ${text}`)
}
