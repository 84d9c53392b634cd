// Lint rules double as the architecture's fences (ARCHITECTURE.md, rules 1–3):
// the import restrictions below are what keep each process in its lane.
import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import pluginVue from 'eslint-plugin-vue'
import prettier from 'eslint-config-prettier'
import globals from 'globals'

const noElectron = {
  name: 'electron',
  message:
    'src/shared and src/renderer must not import electron: go through the contract (src/shared/contract.ts).',
}
const nodeModules = {
  group: ['node:*'],
  message: 'src/shared is pure TypeScript shared by every process: no Node built-ins here.',
}

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'out/',
      'dist/',
      'dist-web/',
      'release/',
      '.native/',
      'coverage/',
      'test-results/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...pluginVue.configs['flat/recommended'],
  {
    files: ['**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.vue'] } },
  },
  {
    languageOptions: { globals: { ...globals.node }, ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'vue/no-v-html': 'error',
      'no-console': 'off',
    },
  },
  {
    files: ['src/shared/**'],
    rules: {
      'no-restricted-imports': ['error', { paths: [noElectron], patterns: [nodeModules] }],
    },
  },
  {
    files: ['src/renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [noElectron],
          patterns: [
            {
              group: ['node:*', '**/main/**', '**/preload/**', '**/server/**'],
              message: 'The renderer talks to the core only through src/renderer/api.ts.',
            },
          ],
        },
      ],
    },
  },
  {
    // ipcMain is allowed in exactly one file: src/main/ipc/register.ts.
    files: ['src/main/**', 'src/server/**', 'scripts/**'],
    ignores: ['src/main/ipc/register.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "ImportDeclaration[source.value='electron'] ImportSpecifier[imported.name='ipcMain']",
          message: 'ipcMain is only imported in src/main/ipc/register.ts.',
        },
        {
          selector: "ImportDeclaration[source.value='electron'] ImportSpecifier[imported.name='ipcRenderer']",
          message: 'ipcRenderer is only imported in the preload.',
        },
      ],
    },
  },
  {
    // The core knows nothing of Electron: only the thin shell, the IPC registrar and the entry point may import it.
    files: ['src/main/core/**', 'src/main/web/**', 'src/server/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'electron', message: 'The core is plain Node: Electron code lives in src/main/app.' },
          ],
        },
      ],
    },
  },
  {
    files: ['src/preload/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "ImportDeclaration[source.value='electron'] ImportSpecifier[imported.name='ipcMain']",
          message: 'ipcMain is only imported in src/main/ipc/register.ts.',
        },
      ],
    },
  },
  {
    files: ['tests/**'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  prettier,
)
