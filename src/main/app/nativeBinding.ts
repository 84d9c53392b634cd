/**
 * Which better-sqlite3(-multiple-ciphers) native file the main process loads.
 *
 * `npm install` compiles better-sqlite3 for Node: tests and `dev:web` use that build
 * straight from node_modules. Electron has its own ABI, so `npm start` / `npm run dev` first
 * run scripts/native-electron.mjs, which builds a second copy into
 * `.native/electron-<version>/better-sqlite3-multiple-ciphers/better_sqlite3.node`; under Electron the store opens with
 * the module's `nativeBinding` option pointing there. A packaged app needs neither:
 * electron-builder rebuilt node_modules for Electron when it packaged it.
 */
import { join } from 'node:path'

/** Kept in step with `electronBindingTarget` in scripts/native-electron.mjs (a test checks). */
export function electronBindingFile(appRoot: string, electronVersion: string): string {
  return join(
    appRoot,
    '.native',
    `electron-${electronVersion}`,
    'better-sqlite3-multiple-ciphers',
    'better_sqlite3.node',
  )
}

export interface NativeRuntime {
  /** `process.versions.electron`: undefined under plain Node. */
  electronVersion?: string
  /** `app.isPackaged`; without it, an app root inside an .asar archive counts as packaged. */
  packaged?: boolean
}

/**
 * The `nativeBinding` path to give better-sqlite3, or undefined to let it load its own
 * build (plain Node, or a packaged app whose node_modules copy was rebuilt for Electron).
 */
export function electronNativeBindingPath(
  appRoot: string,
  runtime: NativeRuntime = { electronVersion: process.versions.electron },
): string | undefined {
  const { electronVersion } = runtime
  if (!electronVersion) return undefined
  const packaged = runtime.packaged ?? /\.asar$/i.test(appRoot)
  if (packaged) return undefined
  return electronBindingFile(appRoot, electronVersion)
}

/** What the agent (a developer, here) reads when the Electron build is missing. */
export function missingBindingMessage(file: string, electronVersion: string): string {
  return (
    `better-sqlite3-multiple-ciphers has not been built for Electron ${electronVersion} (${file} is missing). ` +
    'Run `npm run native:electron` (or start with `npm start` / `npm run dev`, which run it first).'
  )
}
