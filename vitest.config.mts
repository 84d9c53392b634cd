import { defineConfig } from 'vitest/config'
import vue from '@vitejs/plugin-vue'

// Projects so `npm test` can run them as separate, named steps.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['tests/unit/**/*.test.ts'],
          exclude: ['tests/unit/renderer/**'],
          environment: 'node',
        },
      },
      {
        plugins: [vue()],
        test: {
          name: 'renderer',
          include: ['tests/unit/renderer/**/*.test.ts'],
          environment: 'happy-dom',
        },
      },
      {
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts'],
          environment: 'node',
          pool: 'forks',
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        // The central server's tests again, on PostgreSQL: the same files, another store.
        test: {
          name: 'integration-pg',
          include: ['tests/integration/{server,sync,tours}.*.test.ts'],
          environment: 'node',
          pool: 'forks',
          env: { GRC_TEST_STORE: 'postgres' },
          globalSetup: ['tests/support/postgresGlobalSetup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'browser',
          include: ['tests/browser/**/*.test.ts'],
          // The console's log, scanned for personal data once every browser test has run.
          globalSetup: ['tests/support/browserLogScan.ts'],
          environment: 'node',
          pool: 'forks',
          fileParallelism: false,
          // A page under load (CI on 2 cores) takes more than a second to show what a click did.
          expect: { poll: { timeout: 10_000 } },
          testTimeout: 90_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
})
