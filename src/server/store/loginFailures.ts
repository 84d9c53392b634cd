/** The login throttle's failures in the server's database: every instance counts them together. */
import type { FailureStore } from '../../core/directory/throttle'
import type { SqlDatabase } from './sql/client'

export function databaseFailureStore(db: SqlDatabase, now: () => number = Date.now): FailureStore {
  return {
    get: (key) =>
      db.get<{ count: number; until: number }>(
        'SELECT failures AS count, wait_until AS until FROM login_failures WHERE login_key = ?',
        [key],
      ),
    async set(key, failures) {
      await db.run(
        `INSERT INTO login_failures (login_key, failures, wait_until) VALUES (?, ?, ?)
         ON CONFLICT (login_key) DO UPDATE SET failures = excluded.failures, wait_until = excluded.wait_until`,
        [key, failures.count, failures.until],
      )
      // Failures of random logins do not pile up: an hour after their wait, they are forgotten.
      await db.run('DELETE FROM login_failures WHERE wait_until < ?', [now() - 3600_000])
    },
    async delete(key) {
      await db.run('DELETE FROM login_failures WHERE login_key = ?', [key])
    },
  }
}
