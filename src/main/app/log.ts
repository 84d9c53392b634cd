/**
 * The shell's log: JSON lines in the user-data folder (`logs/grc-console.log`, rotated at
 * 1 MiB, five files kept), readable by the user alone, and on standard error. Callers pass
 * where it happened and the error, never the input that caused it: contract inputs carry
 * citizens' names, addresses and phone numbers. What support receives (docs/deployment.md).
 */
import { appendFileSync, chmodSync, existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs'
import { join } from 'node:path'

export type LogLevel = 'error' | 'warn' | 'info'

export interface ShellLog {
  error(where: string, error: unknown): void
  warn(where: string, message: string): void
  info(where: string, message: string): void
}

export interface ShellLogOptions {
  dir: string
  /** Rotate when the current file would pass this size. */
  maxBytes?: number
  /** Files kept, the current one included. */
  files?: number
  now?: () => Date
  /** Also written here (the terminal, when there is one). */
  echo?: (line: string) => void
}

export const LOG_FILE = 'grc-console.log'

const textOf = (error: unknown) =>
  error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : String(error)

export function createShellLog(options: ShellLogOptions): ShellLog {
  const maxBytes = options.maxBytes ?? 1024 * 1024
  const files = Math.max(1, options.files ?? 5)
  const now = options.now ?? (() => new Date())
  const echo = options.echo ?? ((line: string) => console.error(line))
  const file = join(options.dir, LOG_FILE)

  const rotate = () => {
    rmSync(`${file}.${files - 1}`, { force: true })
    for (let i = files - 2; i >= 1; i--)
      if (existsSync(`${file}.${i}`)) renameSync(`${file}.${i}`, `${file}.${i + 1}`)
    if (files > 1) renameSync(file, `${file}.1`)
    else rmSync(file, { force: true })
  }

  const write = (level: LogLevel, where: string, message: string) => {
    echo(`[grc] ${where}: ${message}`)
    const line = `${JSON.stringify({ time: now().toISOString(), level, where, message })}\n`
    try {
      mkdirSync(options.dir, { recursive: true, mode: 0o700 })
      if (existsSync(file) && statSync(file).size + Buffer.byteLength(line) > maxBytes) rotate()
      appendFileSync(file, line, { mode: 0o600 })
      chmodSync(file, 0o600)
    } catch {
      // A full or read-only disk must not stop the console: standard error has the line.
    }
  }
  return {
    error: (where, error) => write('error', where, textOf(error)),
    warn: (where, message) => write('warn', where, message),
    info: (where, message) => write('info', where, message),
  }
}

/** Standard error only: before the user-data folder is known, and in tests. */
export function logShellError(where: string, error: unknown): void {
  console.error(`[grc] ${where}: ${textOf(error)}`)
}
