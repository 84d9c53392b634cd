/** The integration-pg project's one PostgreSQL for the whole run; each test server creates its own database in it. */
import type { TestProject } from 'vitest/node'
import { startPostgres } from './postgres'

export default async function setup(project: TestProject) {
  const postgres = await startPostgres()
  project.provide('postgresUrl', postgres.url)
  return async () => {
    await postgres.stop()
  }
}
