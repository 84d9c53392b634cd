/**
 * The server's epoch: a random id made with the database and made anew by every restore.
 * Every reply carries it, so a console notices that the server went back in time (restored
 * from a backup) and sends again what the server no longer has.
 */
import { randomUUID } from 'node:crypto'
import type { Migration } from '../../../core/store/migrations'
import type { Sql } from '../sql/client'

const migration: Migration<Sql> = {
  version: 3,
  name: '0003-server-epoch',
  async up(sql) {
    await sql.exec(`CREATE TABLE server_info (key TEXT PRIMARY KEY, value TEXT NOT NULL)`)
    await sql.run("INSERT INTO server_info (key, value) VALUES ('epoch', ?)", [randomUUID()])
  },
}
export default migration
