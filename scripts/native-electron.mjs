#!/usr/bin/env node
/**
 * `npm run native:electron` (run by `npm start` and `npm run dev` before Electron starts).
 *
 * better-sqlite3-multiple-ciphers (better-sqlite3 with encryption) is a native module: the copy `npm install` compiled in node_modules is for
 * Node's ABI, and stays that way because the tests run on Node. Electron needs a build for
 * its own ABI, so this script makes a second one, in
 * `.native/electron-<electronVersion>/better-sqlite3-multiple-ciphers/better_sqlite3.node`, and the main process loads it
 * through the module's `nativeBinding` option (src/main/app/nativeBinding.ts).
 *
 * How: copy node_modules/better-sqlite3 (sources, without its Node build) into a scratch
 * folder under .native/, run @electron/rebuild there (it tries a prebuilt Electron binary
 * first, then compiles against Electron's headers), then move the result into place with a
 * stamp naming the versions it was built for. Skipped when that stamp matches what is
 * installed. The first run needs the network (prebuilt binary or Electron headers).
 *
 *   --force     rebuild even if an up-to-date build exists
 *   --dry-run   print what would happen, change nothing
 *
 * ELECTRON_REBUILD_DIST_URL overrides where Electron's headers are downloaded from (a mirror
 * behind a corporate proxy); prebuilt binaries honour npm_config_better_sqlite3_binary_host.
 */
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const MODULE = 'better-sqlite3-multiple-ciphers'
const BINARY = 'better_sqlite3.node'

/** Where the Electron build goes; src/main/app/nativeBinding.ts computes the same path. */
export function electronBindingTarget(root, electronVersion) {
  // Named after the module: a build of plain better-sqlite3 left by an older checkout is never taken for it.
  return join(root, '.native', `electron-${electronVersion}`, MODULE, BINARY)
}

/** The stamp written beside the binary: a build is reused only if all of it still holds. */
export function stampFor(versions, platform = process.platform, arch = process.arch) {
  return { electron: versions.electron, betterSqlite3: versions.betterSqlite3, platform, arch }
}

function readJson(file) {
  return JSON.parse(readFileSync(file, 'utf8'))
}

/** The installed Electron and better-sqlite3 versions, or an error saying what is missing. */
export function readInstalledVersions(root) {
  const read = (name) => {
    const file = join(root, 'node_modules', name, 'package.json')
    if (!existsSync(file))
      throw new Error(`${name} is not installed (no ${relative(root, file)}): run \`npm install\` first.`)
    return String(readJson(file).version)
  }
  return { electron: read('electron'), betterSqlite3: read(MODULE) }
}

/**
 * Decide whether to build: `{ action: 'skip' | 'build', target, reason }`. Pure apart from
 * the two injected file probes, so the decision is testable without compiling anything.
 */
export function planNativeBuild({
  root,
  versions,
  platform = process.platform,
  arch = process.arch,
  force = false,
  exists = existsSync,
  readStamp = (file) => readJson(file),
}) {
  const target = electronBindingTarget(root, versions.electron)
  const stampFile = join(dirname(target), 'build.json')
  if (force) return { action: 'build', target, reason: '--force' }
  if (!exists(target)) return { action: 'build', target, reason: 'no Electron build yet' }
  let stamp
  try {
    stamp = exists(stampFile) ? readStamp(stampFile) : null
  } catch {
    stamp = null
  }
  const wanted = stampFor(versions, platform, arch)
  const stale = !stamp || Object.keys(wanted).some((key) => stamp[key] !== wanted[key])
  if (stale) return { action: 'build', target, reason: 'the existing build is for other versions' }
  return { action: 'skip', target, reason: `up to date for Electron ${versions.electron}` }
}

const NETWORK_SIGNS = [
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'getaddrinfo',
  'socket hang up',
  'network',
  'fetch failed',
  'unable to get local issuer certificate',
  'self-signed certificate',
]

/** Whether a failed rebuild looks like "could not download" rather than "could not compile". */
export function isNetworkFailure(error) {
  const text = [
    error?.message,
    error?.output,
    error?.stderr,
    error?.stdout,
    error?.cause?.message,
    error?.cause?.code,
    error?.code,
  ]
    .filter(Boolean)
    .join('\n')
  return NETWORK_SIGNS.some((sign) => text.toLowerCase().includes(sign.toLowerCase()))
}

const lastLines = (text, n) =>
  String(text ?? '')
    .trim()
    .split('\n')
    .slice(-n)
    .join('\n')

/** The message printed when the build fails: what happened, what to do, what still works. */
export function explainFailure(error, electronVersion) {
  const output = [error?.output, error?.stderr].filter(Boolean).join('\n') || String(error?.message ?? error)
  const detail = isNetworkFailure(error)
    ? output
        .split('\n')
        .filter((line) => NETWORK_SIGNS.some((sign) => line.toLowerCase().includes(sign.toLowerCase())))
        .slice(0, 3)
        .join('\n')
    : lastLines(output, 40)
  const still = 'Tests (`npm test`) and `npm run dev:web` do not need this build and still work.'
  if (isNetworkFailure(error)) {
    return [
      `Could not build ${MODULE} for Electron ${electronVersion}: this machine seems to be offline.`,
      "The first build downloads a prebuilt binary or Electron's headers; connect to the internet (or set",
      'ELECTRON_REBUILD_DIST_URL to a headers mirror) and run `npm run native:electron` again.',
      still,
      '',
      detail,
    ].join('\n')
  }
  return [
    `Could not build ${MODULE} for Electron ${electronVersion}.`,
    'No prebuilt binary matched, and compiling needs Python and a C++ toolchain',
    '(Windows: Visual Studio Build Tools with "Desktop development with C++"; Linux: build-essential; macOS: Xcode CLT).',
    still,
    '',
    detail,
  ].join('\n')
}

/**
 * @electron/rebuild prints node-gyp's output with console.error and throws a bare "node-gyp
 * failed"; keep that output (quietly) on the error so the failure can be explained.
 */
async function withCapturedErrors(run) {
  const lines = []
  const original = console.error
  console.error = (...args) =>
    lines.push(args.map((a) => (a instanceof Error ? (a.stack ?? a.message) : String(a))).join(' '))
  try {
    return await run()
  } catch (e) {
    const error = e instanceof Error ? e : new Error(String(e))
    error.output = lines.join('\n')
    throw error
  } finally {
    console.error = original
  }
}

/**
 * Build the Electron copy: scratch copy of the module, `rebuild` on it, atomic move into
 * `target`, stamp. `rebuild` is @electron/rebuild's (injected by tests).
 */
export async function buildElectronBinding({
  root,
  versions,
  target,
  rebuild,
  headerURL,
  log = console.log,
}) {
  const nativeDir = join(root, '.native')
  mkdirSync(nativeDir, { recursive: true })
  // Under .native/ (same disk as the target, so the final rename is atomic) and under the
  // project, so @electron/rebuild finds the project's prebuild-install by walking up.
  const scratch = join(nativeDir, `.build-${process.pid}-${Date.now()}`)
  const source = join(root, 'node_modules', MODULE)
  const copy = join(scratch, 'node_modules', MODULE)
  try {
    mkdirSync(dirname(copy), { recursive: true })
    writeFileSync(
      join(scratch, 'package.json'),
      JSON.stringify({
        name: 'grc-native-electron',
        private: true,
        dependencies: { [MODULE]: versions.betterSqlite3 },
      }),
    )
    // Without build/ (the Node binary) and nested node_modules: rebuild starts from sources.
    cpSync(source, copy, {
      recursive: true,
      filter: (file) => {
        const rel = relative(source, file)
        return !(
          rel === 'build' ||
          rel.startsWith(`build${sep}`) ||
          rel === 'node_modules' ||
          rel.startsWith(`node_modules${sep}`)
        )
      },
    })
    log(
      `Building ${MODULE} ${versions.betterSqlite3} for Electron ${versions.electron} (${process.platform}-${process.arch})…`,
    )
    await withCapturedErrors(() =>
      rebuild({
        buildPath: scratch,
        projectRootPath: scratch,
        electronVersion: versions.electron,
        onlyModules: [MODULE],
        force: true,
        mode: 'sequential',
        ...(headerURL ? { headerURL } : {}),
      }),
    )
    const built = join(copy, 'build', 'Release', BINARY)
    if (!existsSync(built))
      throw new Error(`the rebuild finished but produced no ${relative(scratch, built)}`)
    mkdirSync(dirname(target), { recursive: true })
    const partial = `${target}.partial`
    copyFileSync(built, partial)
    renameSync(partial, target)
    writeFileSync(join(dirname(target), 'build.json'), `${JSON.stringify(stampFor(versions), null, 2)}\n`)
    return target
  } finally {
    rmSync(scratch, { recursive: true, force: true })
  }
}

/** The CLI: returns the exit code. Everything is injectable for tests. */
export async function main({
  argv = process.argv.slice(2),
  root = resolve(dirname(fileURLToPath(import.meta.url)), '..'),
  env = process.env,
  rebuild,
  log = console.log,
  error = console.error,
} = {}) {
  const unknown = argv.filter((a) => a !== '--force' && a !== '--dry-run')
  if (unknown.length > 0) {
    error(`native-electron: unknown argument ${unknown.join(' ')} (expected --force, --dry-run)`)
    return 2
  }
  let versions
  try {
    versions = readInstalledVersions(root)
  } catch (e) {
    error(`native-electron: ${e.message}`)
    return 1
  }
  const plan = planNativeBuild({ root, versions, force: argv.includes('--force') })
  const shown = relative(root, plan.target)
  if (plan.action === 'skip') {
    log(`native-electron: ${shown} is ${plan.reason}.`)
    return 0
  }
  if (argv.includes('--dry-run')) {
    log(`native-electron: would build ${shown} (${plan.reason}).`)
    return 0
  }
  try {
    const run = rebuild ?? (await import('@electron/rebuild')).rebuild
    await buildElectronBinding({
      root,
      versions,
      target: plan.target,
      rebuild: run,
      headerURL: env.ELECTRON_REBUILD_DIST_URL,
      log,
    })
  } catch (e) {
    error(explainFailure(e, versions.electron))
    return 1
  }
  log(`native-electron: built ${shown}.`)
  return 0
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.exitCode = await main()
}
