/**
 * What the server's privacy modules (contacts, access log, DPO operations, retention)
 * share: the store's context they run in, and the types they answer with (those of the
 * protocol, src/shared/privacy.ts, and the core's redactor), imported from here.
 */
import type { Role } from '../../shared/domain'
import type { Controller } from '../../shared/privacy'
import type { ChangeSet } from './feed'
import type { ReferenceSnapshot } from './reference'
import type { Sql, SqlDatabase } from './sql/client'

export type {
  AccessAction,
  AccessLogEntry,
  AccessLogPage,
  AccessLogQuery,
  CitizenContact,
  CitizenFile,
  CitizenMatch,
  CitizenRectification,
  ContactPurpose,
  Controller,
  ErasureResult,
  LegalHold,
  LegalHoldReply,
  OfflineAccess,
  PrivacyCitizen,
  PrivacyPolicy,
  RetentionPlan,
  RetentionPolicy,
  SubjectAccessExport,
} from '../../shared/privacy'
export type { CitizenRedactor } from '../../core/privacy/text'

// --- the store's context ----------------------------------------------------------------

export interface PrivacyContext {
  db: SqlDatabase
  citizenDataRoles: readonly Role[]
  /** Named in subject access exports (config `privacy.controller`). */
  controller: Controller | null
  now: () => number
  newId: () => string
  reference(sql: Pick<Sql, 'all' | 'get'>): Promise<ReferenceSnapshot>
  /** A write transaction whose change set is published last, before its commit. */
  write<T>(fn: (tx: Sql, changes: ChangeSet) => Promise<T>): Promise<T>
}
