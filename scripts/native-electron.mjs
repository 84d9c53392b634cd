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
 * Before it is put in place and stamped, the build is checked: the ABI it registers (the
 * exported `node_register_module_v<ABI>` symbol, read from the ELF dynamic symbol table, or
 * found in the file on macOS and Windows) must be Electron's (node_modules/electron/abi_version,
 * else node-abi). A build for Node's ABI (what a rebuild that fell back to Node's headers
 * leaves) is refused and nothing is stamped: Electron would crash loading it at start. An
 * existing build that fails the check is rebuilt even when its stamp matches.
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
import { createRequire } from 'node:module'
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

const REGISTER = /^_?node_register_module_v(\d+)$/
const NAPI_REGISTER = /^_?napi_register_module_v\d+$/

/**
 * The exported symbols of an ELF shared object (its dynamic symbol table), or null when
 * `bytes` is not ELF. Defined symbols only (an undefined one is an import, not an export).
 */
export function elfExportedSymbols(bytes) {
  if (bytes.length < 52 || bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46)
    return null
  const is64 = bytes[4] === 2
  const little = bytes[5] !== 2
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const u16 = (at) => view.getUint16(at, little)
  const u32 = (at) => view.getUint32(at, little)
  const word = (at) => (is64 ? Number(view.getBigUint64(at, little)) : u32(at))
  const shoff = word(is64 ? 0x28 : 0x20)
  const shentsize = u16(is64 ? 0x3a : 0x2e)
  const shnum = u16(is64 ? 0x3c : 0x30)
  const section = (i) => {
    const at = shoff + i * shentsize
    return is64
      ? {
          type: u32(at + 4),
          offset: word(at + 0x18),
          size: word(at + 0x20),
          link: u32(at + 0x28),
          entsize: word(at + 0x38),
        }
      : {
          type: u32(at + 4),
          offset: u32(at + 0x10),
          size: u32(at + 0x14),
          link: u32(at + 0x18),
          entsize: u32(at + 0x24),
        }
  }
  const SHT_DYNSYM = 11
  const names = []
  for (let i = 0; i < shnum && shoff + (i + 1) * shentsize <= bytes.length; i++) {
    const dynsym = section(i)
    if (dynsym.type !== SHT_DYNSYM) continue
    const strtab = section(dynsym.link)
    const entsize = dynsym.entsize || (is64 ? 24 : 16)
    for (
      let at = dynsym.offset;
      at + entsize <= dynsym.offset + dynsym.size && at + entsize <= bytes.length;
      at += entsize
    ) {
      const nameOffset = u32(at)
      const shndx = u16(at + (is64 ? 6 : 14))
      if (nameOffset === 0 || shndx === 0) continue
      const start = strtab.offset + nameOffset
      let end = start
      while (end < bytes.length && end < strtab.offset + strtab.size && bytes[end] !== 0) end++
      names.push(bytes.toString('latin1', start, end))
    }
  }
  return names
}

/**
 * The ABIs a native module registers for (`node_register_module_v<ABI>`, what Node and
 * Electron look up when they load it) and whether it is a Node-API module (any ABI):
 * `{ abis, napi, how }`, `how` being `elf` (dynamic symbol table) or `scan` (the symbol's
 * name found in the file: Mach-O and PE keep exported names as plain strings too).
 */
export function moduleAbiOf(file, { read = readFileSync } = {}) {
  const bytes = read(file)
  const symbols = elfExportedSymbols(bytes)
  const names =
    symbols ??
    [...bytes.toString('latin1').matchAll(/_?(?:node|napi)_register_module_v\d+/g)].map((m) => m[0])
  const abis = [...new Set(names.map((n) => REGISTER.exec(n)?.[1]).filter(Boolean))].map(Number)
  return { abis, napi: names.some((n) => NAPI_REGISTER.test(n)), how: symbols ? 'elf' : 'scan' }
}

/**
 * Electron `electronVersion`'s module ABI: what the installed electron package records
 * (`abi_version`), else what node-abi knows (@electron/rebuild's copy, else the project's);
 * null when neither knows it.
 */
export function electronAbiOf(root, electronVersion) {
  const dir = join(root, 'node_modules', 'electron')
  try {
    if (readJson(join(dir, 'package.json')).version === electronVersion) {
      const abi = Number(readFileSync(join(dir, 'abi_version'), 'utf8').trim())
      if (Number.isInteger(abi) && abi > 0) return abi
    }
  } catch {
    // No abi_version (older electron packages): ask node-abi.
  }
  for (const from of [
    join(root, 'node_modules', '@electron', 'rebuild', 'package.json'),
    join(root, 'package.json'),
  ]) {
    try {
      const abi = Number(createRequire(from)('node-abi').getAbi(electronVersion, 'electron'))
      if (Number.isInteger(abi) && abi > 0) return abi
    } catch {
      // Not installed there, or too old to know this Electron.
    }
  }
  return null
}

/**
 * Whether Electron `electronVersion` (module ABI `electronAbi`, null if unknown) can load
 * the native module `file`: `{ ok, abi, reason }`. With Electron's ABI unknown, a build for
 * this Node's own ABI is still refused (Electron's ABI is never Node's).
 */
export function checkElectronBuild(
  file,
  { electronVersion, electronAbi, nodeAbi = Number(process.versions.modules), read } = {},
) {
  let found
  try {
    found = moduleAbiOf(file, read ? { read } : {})
  } catch (e) {
    return { ok: false, abi: null, reason: `${file} cannot be read (${e.message})` }
  }
  if (found.abis.length === 0)
    return found.napi
      ? { ok: true, abi: 'napi', reason: 'a Node-API module, loadable by any Electron' }
      : {
          ok: false,
          abi: null,
          reason: 'it exports no node_register_module_v<ABI> symbol (not a Node native module)',
        }
  if (found.abis.length > 1)
    return { ok: false, abi: null, reason: `it registers several ABIs (${found.abis.join(', ')})` }
  const abi = found.abis[0]
  const nodeNote = abi === nodeAbi ? ` (Node ${process.version}'s: a Node build)` : ''
  if (electronAbi !== null && electronAbi !== undefined)
    return abi === electronAbi
      ? { ok: true, abi, reason: `ABI ${abi}, Electron ${electronVersion}'s` }
      : {
          ok: false,
          abi,
          reason: `it is built for ABI ${abi}${nodeNote}, not Electron ${electronVersion}'s ABI ${electronAbi}`,
        }
  if (abi === nodeAbi)
    return { ok: false, abi, reason: `it is built for ABI ${abi}${nodeNote}, not Electron's` }
  return {
    ok: true,
    abi,
    reason: `ABI ${abi} (Electron ${electronVersion}'s ABI is unknown here; not Node's)`,
  }
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
  verify = null,
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
  // A stamp written before builds were checked may sit beside a Node build.
  const verdict = verify ? verify(target) : { ok: true }
  if (!verdict.ok)
    return { action: 'build', target, reason: `the existing build is unusable: ${verdict.reason}` }
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
  if (error?.abiMismatch) {
    return [
      `Refused the build of ${MODULE} for Electron ${electronVersion}: ${error.abiMismatch}.`,
      'Electron would crash loading it at start, so it was neither installed nor stamped.',
      "This happens when the rebuild compiled against Node's headers instead of Electron's (they could",
      'not be downloaded): connect to the internet, or set ELECTRON_REBUILD_DIST_URL to a headers mirror,',
      'then run `npm run native:electron -- --force`.',
      'Tests (`npm test`) and `npm run dev:web` do not need this build and still work.',
    ].join('\n')
  }
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
  verify = () => ({ ok: true, abi: null }),
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
    const verdict = verify(built)
    if (!verdict.ok) {
      // Nothing wrong may stay in place either: an older build there is stale anyway.
      rmSync(target, { force: true })
      rmSync(join(dirname(target), 'build.json'), { force: true })
      throw Object.assign(new Error(`wrong ABI: ${verdict.reason}`), { abiMismatch: verdict.reason })
    }
    mkdirSync(dirname(target), { recursive: true })
    const partial = `${target}.partial`
    copyFileSync(built, partial)
    renameSync(partial, target)
    const stamp = { ...stampFor(versions), ...(verdict.abi ? { abi: verdict.abi } : {}) }
    writeFileSync(join(dirname(target), 'build.json'), `${JSON.stringify(stamp, null, 2)}\n`)
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
  const electronAbi = electronAbiOf(root, versions.electron)
  const verify = (file) => checkElectronBuild(file, { electronVersion: versions.electron, electronAbi })
  const plan = planNativeBuild({ root, versions, force: argv.includes('--force'), verify })
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
      verify,
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
