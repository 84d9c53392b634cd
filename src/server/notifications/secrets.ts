/** A secret named by the configuration: an environment variable, or a file only the server's account reads. */
import { readFileSync } from 'node:fs'

export type SecretSource = { env: string } | { file: string }

/** The secret's value, or an error naming where it was looked for (never the value). */
export function readSecret(source: SecretSource, what: string): string {
  if ('env' in source) {
    const value = process.env[source.env]
    if (!value) throw new Error(`${what}: the environment variable ${source.env} is empty or not set`)
    return value
  }
  let value: string
  try {
    value = readFileSync(source.file, 'utf8')
  } catch (e) {
    throw new Error(
      `${what}: ${source.file} cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`,
      { cause: e },
    )
  }
  const trimmed = value.replace(/\r?\n$/, '')
  if (!trimmed) throw new Error(`${what}: ${source.file} is empty`)
  return trimmed
}
