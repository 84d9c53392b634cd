#!/usr/bin/env node
/**
 * `npm start` and `npm run dev` run this first: is the Electron binary on this machine?
 *
 * The `electron` package downloads its binary at `npm ci` time (its install script). Where
 * that download is impossible (no internet, a proxy, `ELECTRON_SKIP_BINARY_DOWNLOAD`), the
 * package is there without the program, and electron-vite would later stop with a bare
 * « Error: Electron uninstall ». This check says, in French and in English, what happened
 * and what to do, and exits with code 1 (no stack trace).
 *
 * What it checks is what the `electron` package itself resolves (node_modules/electron/index.js):
 * `path.txt` names the executable inside `dist/` (or inside ELECTRON_OVERRIDE_DIST_PATH).
 */
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

/**
 * Where the Electron executable should be, and whether it is there:
 * `{ ok: true, executable }` or `{ ok: false, problem, executable? }`, `problem` being
 * `not-installed` (no electron package), `not-downloaded` (no path.txt: the install script
 * never completed) or `missing-binary` (path.txt names a file that is not there).
 */
export function electronBinaryStatus({ root, env = process.env, exists = existsSync, read = readFileSync }) {
  const pkgDir = join(root, 'node_modules', 'electron')
  if (!exists(join(pkgDir, 'package.json'))) return { ok: false, problem: 'not-installed' }
  const pathFile = join(pkgDir, 'path.txt')
  const named = exists(pathFile) ? String(read(pathFile, 'utf8')).trim() : null
  if (env.ELECTRON_OVERRIDE_DIST_PATH) {
    const executable = join(env.ELECTRON_OVERRIDE_DIST_PATH, named || 'electron')
    return exists(executable)
      ? { ok: true, executable }
      : { ok: false, problem: 'missing-binary', executable }
  }
  if (!named) return { ok: false, problem: 'not-downloaded' }
  const executable = join(pkgDir, 'dist', named)
  return exists(executable) ? { ok: true, executable } : { ok: false, problem: 'missing-binary', executable }
}

/** The message for a missing Electron: what happened, then what to do, in French and English. */
export function explainMissingElectron(status, { root, env = process.env } = {}) {
  const shown = (file) => (root ? relative(root, file) : file)
  const skipped = Boolean(env.ELECTRON_SKIP_BINARY_DOWNLOAD)
  if (status.problem === 'not-installed') {
    return [
      'Electron n’est pas installé (pas de node_modules/electron) : lancez `npm ci`.',
      'Electron is not installed (no node_modules/electron): run `npm ci`.',
      '',
      'Sans Electron, la console s’ouvre dans le navigateur : `npm run dev:web`.',
      'Without Electron, the console opens in a browser: `npm run dev:web`.',
    ].join('\n')
  }
  const what =
    status.problem === 'missing-binary'
      ? [
          `Le programme Electron est introuvable : ${shown(status.executable)} n’existe pas.`,
          `The Electron program is missing: ${shown(status.executable)} does not exist.`,
        ]
      : [
          'Le programme Electron n’a pas été téléchargé : `npm ci` n’a pas pu le récupérer (réseau, proxy).',
          'The Electron program was not downloaded: `npm ci` could not fetch it (network, proxy).',
        ]
  return [
    ...what,
    ...(skipped
      ? [
          'ELECTRON_SKIP_BINARY_DOWNLOAD est défini : le téléchargement a été sauté volontairement.',
          'ELECTRON_SKIP_BINARY_DOWNLOAD is set: the download was skipped on purpose.',
        ]
      : []),
    '',
    'Que faire :',
    '  1. Télécharger Electron maintenant (accès à internet nécessaire) :',
    '       node node_modules/electron/install.js',
    '     (ou supprimer node_modules et relancer `npm ci`).',
    '  2. Derrière un proxy d’entreprise : définir ELECTRON_GET_USE_PROXY=1 et HTTPS_PROXY',
    '     (ex. http://proxy.exemple:3128), ou un miroir interne avec ELECTRON_MIRROR',
    '     (ex. https://miroir.exemple/electron/), puis refaire le 1.',
    '  3. Sans Electron : `npm run dev:web` ouvre la même console dans le navigateur (tests : `npm test`).',
    '',
    'What to do:',
    '  1. Download Electron now (needs internet access):',
    '       node node_modules/electron/install.js',
    '     (or delete node_modules and run `npm ci` again).',
    '  2. Behind a corporate proxy: set ELECTRON_GET_USE_PROXY=1 and HTTPS_PROXY',
    '     (e.g. http://proxy.example:3128), or an internal mirror with ELECTRON_MIRROR',
    '     (e.g. https://mirror.example/electron/), then do 1 again.',
    '  3. Without Electron: `npm run dev:web` opens the same console in a browser (tests: `npm test`).',
  ].join('\n')
}

/** The CLI: 0 when Electron can start, 1 (with the explanation on stderr) when it cannot. */
export function main({
  root = resolve(dirname(fileURLToPath(import.meta.url)), '..'),
  env = process.env,
  log = console.log,
  error = console.error,
} = {}) {
  const status = electronBinaryStatus({ root, env })
  if (status.ok) {
    if (env.GRC_VERBOSE) log(`electron-check: ${relative(root, status.executable)}`)
    return 0
  }
  error(explainMissingElectron(status, { root, env }))
  return 1
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.exitCode = main()
}
