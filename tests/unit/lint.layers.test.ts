/**
 * The architecture's layers are enforced by one local lint rule, `layers/imports`
 * (eslint/layers.mjs). These tests lint small virtual files through the real
 * eslint.config.mjs, one deliberate violation per forbidden edge, plus the ways around a
 * path check (require, import(), export-from, import type, paths that climb out and back
 * in), and check the allowed edges stay quiet.
 */
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ESLint, Linter } from 'eslint'
import tseslint from 'typescript-eslint'
import { beforeAll, describe, expect, it } from 'vitest'
import layers from '../../eslint/layers.mjs'
import type { LayersImportsOptions } from '../../eslint/layers.mjs'

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const RULE = 'layers/imports'

let eslint: ESLint
beforeAll(() => {
  eslint = new ESLint({ cwd: repoRoot })
})

/** Lints `code` as if it were the file `filePath` (relative to the repository root): the layer rule's problems. */
async function lint(filePath: string, code: string) {
  const [result] = await eslint.lintText(code, { filePath })
  const messages = result!.messages
  const fatal = messages.filter((m) => m.fatal)
  expect(fatal, `${filePath} did not parse`).toEqual([])
  return messages.filter((m) => m.ruleId === RULE)
}

type Case = [name: string, filePath: string, code: string, mentions: string[]]

const forbidden: Case[] = [
  ['shared → core', 'src/shared/x.ts', "import { a } from '../core/a'", ['src/shared', 'src/core']],
  ['shared → electron', 'src/shared/x.ts', "import { app } from 'electron'", ['electron']],
  ['shared → node:fs', 'src/shared/x.ts', "import { readFileSync } from 'node:fs'", ['node:fs']],
  ['shared → fs (no node: prefix)', 'src/shared/x.ts', "import * as fs from 'fs/promises'", ['fs/promises']],
  ['core → main', 'src/core/x.ts', "import { a } from '../main/a'", ['src/core', 'src/main']],
  ['core → server', 'src/core/x.ts', "import { a } from '../server/a'", ['src/core', 'src/server']],
  ['core → renderer', 'src/core/x.ts', "import { a } from '../renderer/a'", ['src/core', 'src/renderer']],
  ['core → preload', 'src/core/x.ts', "import { a } from '../preload/a'", ['src/core', 'src/preload']],
  ['core → electron/main', 'src/core/x.ts', "import { app } from 'electron/main'", ['src/core', 'electron']],
  [
    'server → renderer',
    'src/server/x.ts',
    "import { a } from '../renderer/a'",
    ['src/server', 'src/renderer'],
  ],
  ['server → preload', 'src/server/x.ts', "import { a } from '../preload/a'", ['src/server', 'src/preload']],
  ['server → electron', 'src/server/x.ts', "import { app } from 'electron'", ['src/server', 'electron']],
  ['renderer → main', 'src/renderer/x.ts', "import { a } from '../main/a'", ['src/renderer', 'src/main']],
  [
    'renderer → server',
    'src/renderer/x.ts',
    "import { a } from '../server/a'",
    ['src/renderer', 'src/server'],
  ],
  ['renderer → core', 'src/renderer/x.ts', "import { a } from '../core/a'", ['src/renderer', 'src/core']],
  [
    'renderer → electron',
    'src/renderer/x.ts',
    "import { shell } from 'electron'",
    ['src/renderer', 'electron'],
  ],
  ['renderer → node:path', 'src/renderer/x.ts', "import { join } from 'node:path'", ['node:path']],
  [
    'renderer (.vue) → main',
    'src/renderer/views/X.vue',
    '<script setup lang="ts">\nimport { a } from \'../../main/a\'\nconst b = a\n</script>\n<template><p>{{ b }}</p></template>\n',
    ['src/renderer', 'src/main'],
  ],
  ['preload → core', 'src/preload/x.ts', "import { a } from '../core/a'", ['src/preload', 'src/core']],
  ['preload → main', 'src/preload/x.ts', "import { a } from '../main/a'", ['src/preload', 'src/main']],
  ['main → server', 'src/main/x.ts', "import { a } from '../server/a'", ['src/main', 'src/server']],
  ['main → renderer', 'src/main/x.ts', "import { a } from '../renderer/a'", ['src/main', 'src/renderer']],
  [
    'main outside app/ipc/index.ts → electron',
    'src/main/cache/x.ts',
    "import { app } from 'electron'",
    ['src/main/cache/x.ts', 'electron'],
  ],
  ['main/web → electron', 'src/main/web/x.ts', "import { app } from 'electron'", ['electron']],

  // The ways around a path check.
  ['require()', 'src/core/x.ts', "export const e = require('electron')", ['electron']],
  ['require() of a path', 'src/core/x.ts', "export const m = require('../main/a')", ['src/core', 'src/main']],
  ['module.require()', 'src/core/x.ts', "export const e = module.require('electron')", ['electron']],
  [
    'createRequire()',
    'src/core/x.ts',
    "import { createRequire } from 'node:module'\nconst req = createRequire(import.meta.url)\nexport const e = req('electron')",
    ['electron'],
  ],
  ['dynamic import()', 'src/core/x.ts', "export const e = () => import('electron')", ['electron']],
  [
    'dynamic import() of a path',
    'src/renderer/x.ts',
    'export const m = () => import(`../main/a`)',
    ['src/main'],
  ],
  ['export … from', 'src/core/x.ts', "export { a } from '../main/a'", ['src/core', 'src/main']],
  ['export * from', 'src/core/x.ts', "export * from '../main/a'", ['src/core', 'src/main']],
  ['export * as … from', 'src/core/x.ts', "export * as m from '../main/a'", ['src/core', 'src/main']],
  [
    'import type',
    'src/core/x.ts',
    "import type { A } from '../main/a'\nexport type B = A",
    ['src/core', 'src/main'],
  ],
  [
    'export type … from',
    'src/renderer/x.ts',
    "export type { A } from '../core/a'",
    ['src/renderer', 'src/core'],
  ],
  [
    'import("…") in a type',
    'src/core/x.ts',
    "export type B = import('../main/a').A",
    ['src/core', 'src/main'],
  ],
  ['import … = require()', 'src/core/x.ts', "import m = require('../main/a')", ['src/core', 'src/main']],
  ['side-effect import', 'src/core/x.ts', "import '../main/a'", ['src/core', 'src/main']],
  ['climbing out of src and back in', 'src/core/x.ts', "import { a } from '../../src/main/a'", ['src/main']],
  [
    'a deep relative path',
    'src/core/workflow/deep/x.ts',
    "import { a } from '../../../main/core/a'",
    ['src/main'],
  ],
  ['./ and .. segments', 'src/core/x.ts', "import { a } from './.././main/./core/../a'", ['src/main']],
  ['a query suffix', 'src/renderer/x.ts', "import a from '../main/a.ts?raw'", ['src/main']],
  [
    'electron through node_modules',
    'src/core/x.ts',
    "import { app } from '../../node_modules/electron'",
    ['electron'],
  ],
  [
    'import.meta.glob',
    'src/renderer/x.ts',
    "export const m = import.meta.glob('../main/**/*.ts')",
    ['src/main'],
  ],
  [
    'import.meta.glob from src/',
    'src/renderer/x.ts',
    "export const m = import.meta.glob('../*/a.ts')",
    ['glob'],
  ],
  ['a folder that is not a layer', 'src/core/x.ts', "import { a } from '../common/a'", ['src/common']],
]

const allowed: [name: string, filePath: string, code: string][] = [
  ['main → core', 'src/main/x.ts', "import { a } from '../core/a'"],
  ['main → shared', 'src/main/x.ts', "import { a } from '../shared/a'"],
  ['server → core', 'src/server/x.ts', "import { a } from '../core/a'"],
  ['server → shared', 'src/server/routes/x.ts', "import { a } from '../../shared/a'"],
  ['core → shared', 'src/core/x.ts', "import { a } from '../shared/a'"],
  ['core → core', 'src/core/workflow/x.ts', "import { a } from '../config/a'"],
  ['core → node:fs', 'src/core/x.ts', "import { readFileSync } from 'node:fs'"],
  ['renderer → shared', 'src/renderer/x.ts', "import { a } from '../shared/a'"],
  [
    'renderer → renderer',
    'src/renderer/views/x.ts',
    "import { a } from '../stores/a'\nexport const b = () => import('./Y.vue') && a",
  ],
  [
    'renderer → packages',
    'src/renderer/x.ts',
    "import { ref } from 'vue'\nimport Map from 'ol/Map'\nexport const b = [ref, Map]",
  ],
  ['preload → shared', 'src/preload/x.ts', "import { a } from '../shared/a'"],
  ['preload → electron', 'src/preload/x.ts', "import { contextBridge } from 'electron'"],
  ['main/app → electron', 'src/main/app/x.ts', "import { app } from 'electron'"],
  ['main/ipc → electron', 'src/main/ipc/x.ts', "import { webContents } from 'electron/main'"],
  ['main/index.ts → electron', 'src/main/index.ts', "import { app } from 'electron'"],
  ['shared → shared', 'src/shared/x.ts', "import type { A } from './a'\nexport type B = import('./a').A | A"],
  ['shared → zod', 'src/shared/x.ts', "import { z } from 'zod'\nexport const b = z.string()"],
  ['outside src/', 'src/core/x.ts', "import data from '../../resources/a.json'"],
]

describe('layers/imports through eslint.config.mjs', () => {
  it.each(forbidden)('reports %s', async (_name, filePath, code, mentions) => {
    const problems = await lint(filePath, code)
    expect(problems.length, problems.map((p) => p.message).join('\n')).toBeGreaterThan(0)
    for (const word of mentions) expect(problems[0]!.message).toContain(word)
    expect(problems[0]!.severity).toBe(2)
  })

  it.each(allowed)('allows %s', async (_name, filePath, code) => {
    expect(await lint(filePath, code)).toEqual([])
  })

  it('says where the code should go', async () => {
    const [problem] = await lint('src/core/x.ts', "import { a } from '../main/a'")
    expect(problem!.message).toMatch(/^src\/core may not import src\/main \('\.\.\/main\/a'\)\. /)
    expect(problem!.message).toMatch(/move what both need into src\/core/)
  })
})

describe('layers/imports on its own (no allowance from the config)', () => {
  const linter = new Linter({ cwd: repoRoot })
  function verify(file: string, code: string, options?: LayersImportsOptions) {
    const config: Linter.Config[] = [
      {
        files: ['**/*.ts'],
        languageOptions: { parser: tseslint.parser as Linter.Parser },
        plugins: { layers },
        rules: { [RULE]: options ? ['error', options] : 'error' },
      },
    ]
    return linter.verify(code, config, { filename: join(repoRoot, file) })
  }

  it('forbids server → main', () => {
    const messages = verify('src/server/x.ts', "import { a } from '../main/core/a'")
    expect(messages.map((m) => m.ruleId)).toEqual([RULE])
    expect(messages[0]!.message).toContain('src/server may not import src/main')
  })

  it('lets an allowance through, and only the edge it names', () => {
    const allow: LayersImportsOptions = { allow: [{ from: 'server', to: 'main', reason: 'a move' }] }
    expect(verify('src/server/x.ts', "import { a } from '../main/a'", allow)).toEqual([])
    expect(verify('src/server/x.ts', "import { a } from '../renderer/a'", allow)).toHaveLength(1)
    expect(verify('src/core/x.ts', "import { a } from '../main/a'", allow)).toHaveLength(1)
  })

  it('refuses an allowance naming a folder that is not a layer', () => {
    expect(() =>
      verify('src/server/x.ts', 'export const b = 1', {
        allow: [{ from: 'server', to: 'common' as 'main' }],
      }),
    ).toThrow(/layers\/imports/)
  })

  it('leaves files outside src/ alone', () => {
    expect(verify('scripts/x.ts', "import { app } from 'electron'\nimport '../src/main/a'")).toEqual([])
  })
})

describe('the other fences in eslint.config.mjs', () => {
  async function ruleIds(filePath: string, code: string) {
    const [result] = await eslint.lintText(code, { filePath })
    return result!.messages.map((m) => m.ruleId)
  }

  it('keeps ipcMain in src/main/ipc/register.ts, however it is reached', async () => {
    expect(
      await ruleIds(
        'src/main/ipc/register.ts',
        "import { ipcMain } from 'electron'\nexport const i = ipcMain",
      ),
    ).toEqual([])
    for (const code of [
      "import { ipcMain } from 'electron'\nexport const i = ipcMain",
      "import * as electron from 'electron/main'\nexport const i = electron.ipcMain",
      "import electron from 'electron'\nexport const i = electron['ipcMain']",
    ]) {
      expect(await ruleIds('src/main/app/x.ts', code)).toContain('no-restricted-syntax')
    }
    expect(
      await ruleIds('src/preload/x.ts', "import { ipcMain } from 'electron'\nexport const i = ipcMain"),
    ).toContain('no-restricted-syntax')
  })

  it('keeps ipcRenderer in the preload', async () => {
    expect(
      await ruleIds(
        'src/preload/x.ts',
        "import { ipcRenderer } from 'electron'\nexport const i = ipcRenderer",
      ),
    ).toEqual([])
    expect(
      await ruleIds(
        'src/main/ipc/register.ts',
        "import { ipcRenderer } from 'electron'\nexport const i = ipcRenderer",
      ),
    ).toContain('no-restricted-syntax')
  })

  it('keeps the DOM and Node globals out of src/shared', async () => {
    expect(await ruleIds('src/shared/x.ts', 'export const w = window.location.href')).toContain(
      'no-restricted-globals',
    )
    expect(await ruleIds('src/shared/x.ts', 'export const e = process.env')).toContain(
      'no-restricted-globals',
    )
    expect(await ruleIds('src/core/x.ts', 'export const e = process.env')).toEqual([])
  })

  it('forbids v-html', async () => {
    const vue =
      '<script setup lang="ts">\nconst html = \'<b>x</b>\'\n</script>\n<template><p v-html="html"></p></template>\n'
    expect(await ruleIds('src/renderer/X.vue', vue)).toContain('vue/no-v-html')
  })
})
