/**
 * electron-vite builds three bundles into out/: main (Node, CommonJS), preload (one
 * self-contained CommonJS file: a sandboxed preload can only `require('electron')`), and
 * the renderer (the same Vue app as vite.web.config.ts, same root src/renderer).
 */
import { resolve } from 'node:path'
import vue from '@vitejs/plugin-vue'
import { defineConfig } from 'electron-vite'
import web from './vite.web.config'

const root = __dirname

export default defineConfig({
  main: {
    define: {
      // A demo build (`GRC_DEMO_BUILD=1 npm run build`): the packaged console may run the
      // bundled demo accounts (start.ts). Any other packaged build refuses them.
      __GRC_DEMO_BUILD__: JSON.stringify(process.env.GRC_DEMO_BUILD === '1'),
    },
    build: {
      // package.json dependencies stay in node_modules (shipped by electron-builder);
      // better-sqlite3 above all: it loads a native file at run time and cannot be bundled.
      externalizeDeps: true,
      rolldownOptions: {
        // The first download's two threads (issue 16) have entries of their own:
        // out/main/snapshotWorker.js and out/main/snapshotUnpacker.js.
        input: {
          index: resolve(root, 'src/main/index.ts'),
          snapshotWorker: resolve(root, 'src/main/sync/snapshotWorker.ts'),
          snapshotUnpacker: resolve(root, 'src/main/sync/snapshotUnpacker.ts'),
        },
        external: ['better-sqlite3-multiple-ciphers'],
        output: { format: 'cjs' },
      },
    },
  },
  preload: {
    build: {
      // Bundle everything, zod and src/shared included: the sandbox gives the preload no
      // `require` for node_modules or relative files.
      externalizeDeps: false,
      rolldownOptions: {
        input: { index: resolve(root, 'src/preload/index.ts') },
        output: { format: 'cjs' },
      },
    },
  },
  renderer: {
    // Same root, plugins and compile-time flags as the browser build, so the two renderers
    // cannot drift; only the output folder differs.
    root: resolve(root, 'src/renderer'),
    plugins: [vue()],
    define: web.define,
    build: {
      outDir: resolve(root, 'out/renderer'),
      // Nothing inlined into index.html: the CSP allows scripts from 'self' only.
      assetsInlineLimit: 0,
      rolldownOptions: { input: resolve(root, 'src/renderer/index.html') },
    },
  },
})
