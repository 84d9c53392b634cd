import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { electronBindingFile, electronNativeBindingPath } from '../../src/main/app/nativeBinding'

interface Versions {
  electron: string
  betterSqlite3: string
}
interface Plan {
  action: 'skip' | 'build'
  target: string
  reason: string
}
type Rebuild = (options: Record<string, unknown>) => Promise<void>
interface Verdict {
  ok: boolean
  abi: number | 'napi' | null
  reason: string
}
/** The public functions of scripts/native-electron.mjs (plain JS, so typed here). */
interface NativeScript {
  electronBindingTarget(root: string, electronVersion: string): string
  planNativeBuild(options: {
    root: string
    versions: Versions
    force?: boolean
    verify?: ((file: string) => Verdict) | null
  }): Plan
  elfExportedSymbols(bytes: Buffer): string[] | null
  moduleAbiOf(
    file: string,
    options?: { read?: (file: string) => Buffer },
  ): {
    abis: number[]
    napi: boolean
    how: 'elf' | 'scan'
  }
  electronAbiOf(root: string, electronVersion: string): number | null
  checkElectronBuild(
    file: string,
    options: { electronVersion: string; electronAbi: number | null; nodeAbi?: number },
  ): Verdict
  isNetworkFailure(error: unknown): boolean
  explainFailure(error: unknown, electronVersion: string): string
  main(options: {
    argv?: string[]
    root?: string
    env?: NodeJS.ProcessEnv
    rebuild?: Rebuild
    log?: (line: string) => void
    error?: (line: string) => void
  }): Promise<number>
}

const scriptUrl = pathToFileURL(resolve(__dirname, '..', '..', 'scripts', 'native-electron.mjs')).href
const script = (await import(/* @vite-ignore */ scriptUrl)) as NativeScript

const versions: Versions = { electron: '45.5.0', betterSqlite3: '12.11.1' }

/**
 * A real ELF fixture: the Node build of better-sqlite3 installed for the tests, which
 * exports node_register_module_v115 (Node 20's ABI). Its Electron twin is the same file
 * with the symbol renamed to Electron 45's ABI (same length, so the ELF stays valid).
 */
const NODE_BUILD = resolve(
  __dirname,
  '..',
  '..',
  'node_modules',
  'better-sqlite3-multiple-ciphers',
  'build',
  'Release',
  'better_sqlite3.node',
)
const nodeBuild = readFileSync(NODE_BUILD)
const NODE_ABI = Number(process.versions.modules)
function withAbi(bytes: Buffer, abi: number): Buffer {
  const from = Buffer.from(`node_register_module_v${NODE_ABI}`, 'latin1')
  const to = Buffer.from(`node_register_module_v${abi}`, 'latin1')
  expect(to.length).toBe(from.length)
  const out = Buffer.from(bytes)
  let at = out.indexOf(from)
  expect(at).toBeGreaterThan(0)
  while (at >= 0) {
    to.copy(out, at)
    at = out.indexOf(from, at + 1)
  }
  return out
}
const electronBuild = withAbi(nodeBuild, 150)
let root: string
let out: string[]

/** A project folder with just what the script reads: the two packages' manifests and sources. */
function fakeProject(): string {
  const dir = mkdtempSync(join(tmpdir(), 'grc-native-'))
  const pkg = (name: string, version: string) => {
    mkdirSync(join(dir, 'node_modules', name), { recursive: true })
    writeFileSync(join(dir, 'node_modules', name, 'package.json'), JSON.stringify({ name, version }))
  }
  pkg('electron', versions.electron)
  writeFileSync(join(dir, 'node_modules', 'electron', 'abi_version'), '150')
  pkg('better-sqlite3-multiple-ciphers', versions.betterSqlite3)
  const module = join(dir, 'node_modules', 'better-sqlite3-multiple-ciphers')
  writeFileSync(join(module, 'binding.gyp'), '{}')
  mkdirSync(join(module, 'build', 'Release'), { recursive: true })
  writeFileSync(join(module, 'build', 'Release', 'better_sqlite3.node'), 'NODE-ABI build')
  return dir
}

/**
 * Stands in for @electron/rebuild: "compiles" the scratch copy it is pointed at, by
 * default into a build for Electron's ABI (`output`: the bytes it leaves).
 */
function fakeRebuild(seen: Array<Record<string, unknown>>, output: Buffer = electronBuild): Rebuild {
  return async (options) => {
    seen.push(options)
    const module = join(String(options.buildPath), 'node_modules', 'better-sqlite3-multiple-ciphers')
    // The scratch copy must start from sources: the Node build must not have been copied.
    if (existsSync(join(module, 'build'))) throw new Error('the Node build leaked into the scratch copy')
    mkdirSync(join(module, 'build', 'Release'), { recursive: true })
    writeFileSync(join(module, 'build', 'Release', 'better_sqlite3.node'), output)
  }
}

const run = (argv: string[], rebuild?: Rebuild, env: NodeJS.ProcessEnv = {}) =>
  script.main({ argv, root, env, rebuild, log: (l) => out.push(l), error: (l) => out.push(l) })

beforeEach(() => {
  root = fakeProject()
  out = []
})
afterEach(() => rmSync(root, { recursive: true, force: true }))

describe('which better-sqlite3 binary the main process loads', () => {
  it('none under plain Node (tests, dev:web): better-sqlite3 uses its own build', () => {
    expect(electronNativeBindingPath('/repo', {})).toBeUndefined()
    expect(electronNativeBindingPath('/repo')).toBeUndefined()
  })

  it('the per-version Electron build when running Electron from the repository', () => {
    expect(electronNativeBindingPath('/repo', { electronVersion: '45.5.0', packaged: false })).toBe(
      join('/repo', '.native', 'electron-45.5.0', 'better-sqlite3-multiple-ciphers', 'better_sqlite3.node'),
    )
  })

  it('none in a packaged app, whose node_modules copy electron-builder already rebuilt', () => {
    expect(
      electronNativeBindingPath('/opt/GRC/resources/app.asar', { electronVersion: '45.5.0', packaged: true }),
    ).toBe(undefined)
    expect(
      electronNativeBindingPath('C:\\GRC\\resources\\app.asar', { electronVersion: '45.5.0' }),
    ).toBeUndefined()
  })

  it('is the file the build script writes, for any version', () => {
    for (const v of ['45.5.0', '46.0.0-beta.3']) {
      expect(electronBindingFile('/repo', v)).toBe(script.electronBindingTarget('/repo', v))
    }
  })
})

describe('scripts/native-electron.mjs', () => {
  it('plans a build when there is none yet, for the installed Electron version', () => {
    const plan = script.planNativeBuild({ root, versions })
    expect(plan).toMatchObject({
      action: 'build',
      target: join(
        root,
        '.native',
        'electron-45.5.0',
        'better-sqlite3-multiple-ciphers',
        'better_sqlite3.node',
      ),
    })
  })

  it('builds into .native/electron-<version>/ from a scratch copy, leaving the Node build alone', async () => {
    const seen: Array<Record<string, unknown>> = []
    expect(await run([], fakeRebuild(seen))).toBe(0)
    const target = join(
      root,
      '.native',
      'electron-45.5.0',
      'better-sqlite3-multiple-ciphers',
      'better_sqlite3.node',
    )
    expect(readFileSync(target).equals(electronBuild)).toBe(true)
    expect(
      readFileSync(
        join(
          root,
          'node_modules',
          'better-sqlite3-multiple-ciphers',
          'build',
          'Release',
          'better_sqlite3.node',
        ),
        'utf8',
      ),
    ).toBe('NODE-ABI build')
    expect(seen[0]).toMatchObject({
      electronVersion: '45.5.0',
      onlyModules: ['better-sqlite3-multiple-ciphers'],
      force: true,
    })
    expect(seen[0]?.buildPath).toBe(seen[0]?.projectRootPath)
    expect(dirname(String(seen[0]?.buildPath))).toBe(join(root, '.native'))
    // The scratch folder is gone; only the versioned build remains.
    expect(readdirSync(join(root, '.native'))).toEqual(['electron-45.5.0'])
    expect(JSON.parse(readFileSync(join(dirname(target), 'build.json'), 'utf8'))).toMatchObject({
      ...versions,
      abi: 150,
    })
  })

  it('skips when the build for the installed versions is already there', async () => {
    await run([], fakeRebuild([]))
    const rebuild = vi.fn()
    expect(await run([], rebuild)).toBe(0)
    expect(rebuild).not.toHaveBeenCalled()
    expect(out.at(-1)).toMatch(/up to date for Electron 45\.5\.0/)
  })

  it('rebuilds when better-sqlite3 was upgraded, or with --force', async () => {
    await run([], fakeRebuild([]))
    writeFileSync(
      join(root, 'node_modules', 'better-sqlite3-multiple-ciphers', 'package.json'),
      JSON.stringify({ name: 'better-sqlite3-multiple-ciphers', version: '12.12.0' }),
    )
    expect(script.planNativeBuild({ root, versions: { ...versions, betterSqlite3: '12.12.0' } }).action).toBe(
      'build',
    )
    const seen: Array<Record<string, unknown>> = []
    await run([], fakeRebuild(seen))
    await run(['--force'], fakeRebuild(seen))
    expect(seen).toHaveLength(2)
  })

  it('builds a separate file per Electron version', async () => {
    await run([], fakeRebuild([]))
    writeFileSync(
      join(root, 'node_modules', 'electron', 'package.json'),
      JSON.stringify({ version: '46.0.0' }),
    )
    await run([], fakeRebuild([]))
    expect(readdirSync(join(root, '.native')).sort()).toEqual(['electron-45.5.0', 'electron-46.0.0'])
  })

  it('--dry-run says what it would do and changes nothing', async () => {
    const rebuild = vi.fn()
    expect(await run(['--dry-run'], rebuild)).toBe(0)
    expect(rebuild).not.toHaveBeenCalled()
    expect(existsSync(join(root, '.native', 'electron-45.5.0'))).toBe(false)
    expect(out.join('\n')).toMatch(
      /would build \.native[\\/]electron-45\.5\.0[\\/]better-sqlite3-multiple-ciphers[\\/]better_sqlite3\.node/,
    )
  })

  it('fails with a clear message when offline, leaving no half-written binary', async () => {
    // What @electron/rebuild does: node-gyp's output goes to console.error, the error says little.
    const offline: Rebuild = async () => {
      console.error(new Error('connect ECONNREFUSED 127.0.0.1:443'))
      throw new Error(
        "node-gyp failed to rebuild '.native/.build/node_modules/better-sqlite3-multiple-ciphers'",
      )
    }
    expect(await run([], offline)).toBe(1)
    const message = out.join('\n')
    expect(message).toMatch(/offline/)
    expect(message).toMatch(/npm run native:electron/)
    expect(message).toMatch(/npm test/)
    expect(message).toMatch(/ECONNREFUSED/)
    expect(
      existsSync(
        join(root, '.native', 'electron-45.5.0', 'better-sqlite3-multiple-ciphers', 'better_sqlite3.node'),
      ),
    ).toBe(false)
    expect(readdirSync(join(root, '.native'))).toEqual([])
  })

  it('tells a compile failure apart from a network failure', () => {
    const compile = Object.assign(new Error('failed'), {
      stderr: 'gyp ERR! find VS could not find a version of Visual Studio',
    })
    expect(script.isNetworkFailure(compile)).toBe(false)
    expect(script.explainFailure(compile, '45.5.0')).toMatch(/C\+\+ toolchain/)
    expect(script.isNetworkFailure(new Error('connect ECONNREFUSED 127.0.0.1:443'))).toBe(true)
  })

  it('passes a headers mirror through ELECTRON_REBUILD_DIST_URL', async () => {
    const seen: Array<Record<string, unknown>> = []
    await run([], fakeRebuild(seen), { ELECTRON_REBUILD_DIST_URL: 'https://mirror.example/electron-headers' })
    expect(seen[0]?.headerURL).toBe('https://mirror.example/electron-headers')
  })

  it('says to run npm install when Electron is not installed, and refuses unknown flags', async () => {
    rmSync(join(root, 'node_modules', 'electron'), { recursive: true })
    expect(await run([])).toBe(1)
    expect(out.join('\n')).toMatch(/electron is not installed.*npm install/)
    expect(await run(['--frobnicate'])).toBe(2)
  })
})

describe('the ABI of what native-electron builds', () => {
  const target = () =>
    join(root, '.native', 'electron-45.5.0', 'better-sqlite3-multiple-ciphers', 'better_sqlite3.node')

  it('reads the registration symbol from the ELF dynamic symbol table', () => {
    const symbols = script.elfExportedSymbols(nodeBuild)
    expect(symbols).toContain(`node_register_module_v${NODE_ABI}`)
    // Imports are not exports.
    expect(symbols).not.toContain('node_module_register')
    expect(script.moduleAbiOf(NODE_BUILD)).toEqual({ abis: [NODE_ABI], napi: false, how: 'elf' })
    expect(script.moduleAbiOf('x', { read: () => electronBuild })).toMatchObject({ abis: [150], how: 'elf' })
    expect(
      script.elfExportedSymbols(Buffer.from('MZ not an ELF file at all, but long enough to look')),
    ).toBeNull()
  })

  it('finds the symbol by name in other formats (Mach-O, PE)', () => {
    const macho = Buffer.concat([
      Buffer.from([0xcf, 0xfa, 0xed, 0xfe]),
      Buffer.alloc(64),
      Buffer.from('\0_node_register_module_v150\0'),
    ])
    expect(script.moduleAbiOf('x', { read: () => macho })).toEqual({ abis: [150], napi: false, how: 'scan' })
  })

  it("knows Electron's ABI from the electron package, else from node-abi", () => {
    expect(script.electronAbiOf(root, '45.5.0')).toBe(150)
    const repo = resolve(__dirname, '..', '..')
    expect(script.electronAbiOf(repo, '45.5.0')).toBe(150)
    // Another version than the installed one: node-abi answers.
    expect(script.electronAbiOf(repo, '44.0.0')).toBe(149)
  })

  it("accepts Electron's ABI and refuses Node's, even when Electron's is unknown", () => {
    const check = (file: string, electronAbi: number | null) =>
      script.checkElectronBuild(file, { electronVersion: '45.5.0', electronAbi, nodeAbi: NODE_ABI })
    expect(check(NODE_BUILD, 150)).toMatchObject({ ok: false, abi: NODE_ABI })
    expect(check(NODE_BUILD, 150).reason).toMatch(new RegExp(`ABI ${NODE_ABI} .*a Node build.*ABI 150`))
    expect(check(NODE_BUILD, null)).toMatchObject({ ok: false })
    const good = join(root, 'electron.node')
    writeFileSync(good, electronBuild)
    expect(check(good, 150)).toMatchObject({ ok: true, abi: 150 })
    expect(check(good, null)).toMatchObject({ ok: true, abi: 150 })
    const text = join(root, 'text.node')
    writeFileSync(text, 'not a module')
    expect(check(text, 150)).toMatchObject({ ok: false })
  })

  it('refuses a Node-ABI build: exit 1, a clear message, no binary and no stamp', async () => {
    expect(await run([], fakeRebuild([], nodeBuild))).toBe(1)
    const message = out.join('\n')
    expect(message).toMatch(/Refused the build/)
    expect(message).toMatch(new RegExp(`ABI ${NODE_ABI}.*not Electron 45\\.5\\.0's ABI 150`))
    expect(message).toMatch(/npm run native:electron -- --force/)
    expect(message).not.toMatch(/\n\s+at /)
    expect(existsSync(target())).toBe(false)
    expect(existsSync(join(dirname(target()), 'build.json'))).toBe(false)
    expect(readdirSync(join(root, '.native'))).toEqual([])
  })

  it('rebuilds a Node-ABI build left stamped by an earlier version of the script', async () => {
    mkdirSync(dirname(target()), { recursive: true })
    writeFileSync(target(), nodeBuild)
    writeFileSync(
      join(dirname(target()), 'build.json'),
      JSON.stringify({ ...versions, platform: process.platform, arch: process.arch }),
    )
    // Without the check the stamp alone would skip it.
    expect(script.planNativeBuild({ root, versions }).action).toBe('skip')
    const seen: Array<Record<string, unknown>> = []
    expect(await run([], fakeRebuild(seen))).toBe(0)
    expect(seen).toHaveLength(1)
    expect(out.join('\n')).not.toMatch(/up to date/)
    expect(readFileSync(target()).equals(electronBuild)).toBe(true)
  })
})
