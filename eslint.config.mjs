// Lint rules double as the architecture's fences (ARCHITECTURE.md, rules 1–3): the layer
// rule (eslint/layers.mjs) decides which src/ folder may import which, and who may import
// electron or Node built-ins; the rules below it keep ipcMain and ipcRenderer in one place each.
import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import pluginVue from 'eslint-plugin-vue'
import prettier from 'eslint-config-prettier'
import globals from 'globals'
import layers from './eslint/layers.mjs'

// Any mention of the name (import, destructuring, electron.ipcMain, ['ipcMain']) counts.
const ipcMainOnlyInRegister = {
  selector: "Identifier[name='ipcMain'], Literal[value='ipcMain']",
  message: 'ipcMain is only used in src/main/ipc/register.ts.',
}
const ipcRendererOnlyInPreload = {
  selector: "Identifier[name='ipcRenderer'], Literal[value='ipcRenderer']",
  message: 'ipcRenderer is only used in the preload (src/preload).',
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
    files: ['src/renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    // The layers (eslint/layers.mjs holds the layering itself): shared ← core ← main / server,
    // shared ← renderer, shared ← preload; electron only in src/main/{app,ipc}/**,
    // src/main/index.ts and src/preload; no Node built-ins in src/shared and src/renderer.
    files: ['src/**'],
    plugins: { layers },
    rules: {
      'layers/imports': 'error',
    },
  },
  {
    files: ['src/shared/**'],
    rules: {
      // src/shared runs in every process: no DOM, no Node process globals either.
      'no-restricted-globals': [
        'error',
        ...['window', 'document', 'navigator', 'localStorage', 'sessionStorage', 'location'].map((name) => ({
          name,
          message: 'src/shared runs in every process: no DOM here (the renderer has it).',
        })),
        ...['process', 'Buffer', 'require', 'module', '__dirname', '__filename', 'global'].map((name) => ({
          name,
          message: 'src/shared runs in every process: no Node globals here (src/core has them).',
        })),
      ],
    },
  },
  {
    files: ['src/**', 'scripts/**'],
    rules: { 'no-restricted-syntax': ['error', ipcMainOnlyInRegister, ipcRendererOnlyInPreload] },
  },
  {
    files: ['src/main/ipc/register.ts'],
    rules: { 'no-restricted-syntax': ['error', ipcRendererOnlyInPreload] },
  },
  {
    files: ['src/preload/**'],
    rules: { 'no-restricted-syntax': ['error', ipcMainOnlyInRegister] },
  },
  {
    files: ['tests/**'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  prettier,
)
