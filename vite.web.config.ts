/**
 * The renderer built for a plain browser (dist-web), served by the web bridge for
 * `npm run dev:web` and the browser tests. electron.vite.config.ts builds the same root.
 */
import { fileURLToPath } from 'node:url'
import vue from '@vitejs/plugin-vue'
import { defineConfig } from 'vite'

/**
 * vue-i18n feature flags. Since v10 messages are compiled just in time into an AST that is
 * interpreted, never into code through eval/new Function: that is what lets the renderer run
 * under `script-src 'self'`. The compiler stays (no build-time precompilation plugin here).
 */
const vueI18nDefines = {
  __VUE_I18N_FULL_INSTALL__: JSON.stringify(false),
  __VUE_I18N_LEGACY_API__: JSON.stringify(false),
  __INTLIFY_PROD_DEVTOOLS__: JSON.stringify(false),
  __INTLIFY_DROP_MESSAGE_COMPILER__: JSON.stringify(false),
}

export default defineConfig({
  root: fileURLToPath(new URL('./src/renderer', import.meta.url)),
  base: './',
  plugins: [vue()],
  define: {
    ...vueI18nDefines,
    __VUE_OPTIONS_API__: JSON.stringify(false),
    __VUE_PROD_DEVTOOLS__: JSON.stringify(false),
    __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: JSON.stringify(false),
  },
  build: {
    outDir: fileURLToPath(new URL('./dist-web', import.meta.url)),
    emptyOutDir: true,
    // No inline helper script may land in index.html (CSP: script-src 'self').
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    sourcemap: false,
  },
})
