/**
 * « Exporter un diagnostic »: what support needs to understand a workstation, in one zip
 * IT can send, and nothing of a citizen: versions, the effective configuration (secrets
 * masked), the last log files (which never hold personal data, app/log.ts) and the cache's
 * statistics (sizes, row counts, schema version, unsent changes). Never a request, a name,
 * a comment.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { EffectiveSetting } from '../../core/config/effective'
import type { Db } from '../cache/db'
import { schemaVersion } from '../cache/migrate'
import { countOpenConflicts } from '../cache/queries/conflicts'
import { countPendingMutations } from '../cache/queries/outbox'
import { LOG_FILE } from '../app/log'
import { zip, type ZipEntry } from './zip'

export interface DiagnosticInput {
  versions: Record<string, string | undefined>
  settings: readonly EffectiveSetting[]
  db: Db
  /** The log folder (app/log.ts); null when there is none. */
  logsDir: string | null
  now: Date
}

const README = `Diagnostic de GRC Console
=========================

Ce fichier contient, pour le support :
- versions.json : versions de l'application, d'Electron, de Node.js et du système ;
- configuration.json : chaque clé de configuration, sa valeur, la couche qui l'a fixée et
  si le service informatique l'a verrouillée (les secrets sont masqués) ;
- cache.json : la taille du cache, le nombre de lignes par table, la version du schéma, les
  modifications pas encore envoyées au serveur ;
- logs/ : les derniers journaux (où une erreur est survenue, jamais les données saisies).

Il ne contient aucune demande, aucun usager, aucun commentaire.
`

/** Sizes and counts only: a table's rows are never read, only counted. */
export function cacheStatistics(db: Db): Record<string, unknown> {
  const tables = db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .pluck()
    .all() as string[]
  const rows = Object.fromEntries(
    tables.map((t) => [
      t,
      db
        .prepare(`SELECT count(*) FROM "${t.replaceAll('"', '""')}"`)
        .pluck()
        .get() as number,
    ]),
  )
  const pageSize = db.pragma('page_size', { simple: true }) as number
  const pages = db.pragma('page_count', { simple: true }) as number
  return {
    schemaVersion: schemaVersion(db),
    bytes: pageSize * pages,
    freePages: db.pragma('freelist_count', { simple: true }),
    pendingChanges: countPendingMutations(db),
    openConflicts: countOpenConflicts(db),
    rows,
  }
}

export function diagnosticBundle(input: DiagnosticInput): Buffer {
  const entries: ZipEntry[] = [
    { name: 'LISEZMOI.txt', data: README },
    { name: 'versions.json', data: JSON.stringify(input.versions, null, 2) },
    { name: 'configuration.json', data: JSON.stringify(input.settings, null, 2) },
    { name: 'cache.json', data: JSON.stringify(cacheStatistics(input.db), null, 2) },
  ]
  if (input.logsDir && existsSync(input.logsDir))
    for (const file of readdirSync(input.logsDir)
      .filter((f) => f.startsWith(LOG_FILE))
      .sort())
      entries.push({ name: `logs/${file}`, data: readFileSync(join(input.logsDir, file)) })
  return zip(entries, input.now)
}
