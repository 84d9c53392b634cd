/**
 * The citizens' rights from the console (RGPD, issue 12): the DPO searches a citizen, reads
 * their file and the access log, exports, rectifies, erases and sets legal holds, all on the
 * central server (which logs each of these). Nothing is kept in the cache here: an erasure
 * or a rectification comes back through the change feed like any other change.
 *
 * Only the DPO (checked here, and again by the server); without a server, or when it cannot
 * be reached, refused in words (`server_unavailable`). Search terms are never logged, here
 * or in an error's details.
 */
import type { RetentionPreview, SessionInfo } from '../../shared/contract'
import type {
  AccessLogPage,
  AccessLogQuery,
  CitizenFile,
  CitizenLookupReply,
  CitizenSearchReply,
  ErasureResult,
  LegalHoldReply,
  PrivacyEraseInput,
  PrivacyLegalHoldInput,
  PrivacyRectifyInput,
  RectifyReply,
  SubjectAccessExport,
} from '../../shared/privacy'
import { PRIVACY_LIMITS, type RetentionPolicy } from '../../shared/privacy'
import { CoreError } from '../../shared/result'
import { canExerciseRights, canLookUpCitizen, canReadAccessLog } from '../../core/authz/permissions'
import { hostname } from 'node:os'
import type { Role } from '../../shared/domain'
import { SyncError, type SyncTransport } from '../sync/transport'
import { isOutdatedServer, serverRefusal, type ServerRefusalWords } from './serverRefusal'
import type { Db } from '../cache/db'
import { retentionPolicyOf } from '../cache/queries/privacyPolicy'

export const PRIVACY_NEEDS_SERVER =
  'L’exercice des droits des usagers demande une connexion au serveur central.'
const ONLY_DPO = 'L’exercice des droits des usagers est réservé au délégué à la protection des données.'
const LOOKUP_REFUSED =
  'Retrouver un usager par son e-mail ou son téléphone est réservé aux superviseurs et au délégué à la protection des données.'
const NOT_ON_SERVER =
  'Le serveur central ne propose pas encore l’exercice des droits des usagers : il doit d’abord être mis à jour.'
const RETENTION_NOT_ON_SERVER =
  'Le serveur central ne calcule pas encore l’aperçu de la conservation : le serveur doit être mis à jour.'

/** What the service needs of the sync side: a valid access token and the HTTP calls. */
export interface PrivacyRemote {
  withAccess<T>(fn: (token: string) => Promise<T>): Promise<T>
  transport: Pick<
    SyncTransport,
    | 'privacySearch'
    | 'privacyFile'
    | 'privacyExport'
    | 'privacyRectify'
    | 'privacyErase'
    | 'privacyLegalHold'
    | 'privacyAccessLog'
    | 'privacyRetentionPreview'
    | 'citizenLookup'
  >
  /** This console's id, for the server's access log. */
  clientId?: string
  /** A change was made on the server: sync now, so this console takes it. */
  afterChange(): void
}

type Transport = PrivacyRemote['transport']

const WORDS: ServerRefusalWords = {
  passedOn: new Set(['invalid_input', 'forbidden', 'not_found', 'version_conflict']),
  needsServer: PRIVACY_NEEDS_SERVER,
  notOnServer: NOT_ON_SERVER,
}

/** A failed server call in the core's words (`listing`: see `serverRefusal`). */
export const privacyRefusalOf = (e: unknown, listing = false): unknown => serverRefusal(e, WORDS, listing)

export function createPrivacyService(remote: PrivacyRemote | null) {
  /** The checks every call passes before it reaches the server, then the call. */
  async function onServer<T>(
    allowed: boolean,
    fn: (t: Transport, token: string) => Promise<T>,
    listing = false,
    refusal = ONLY_DPO,
  ): Promise<T> {
    if (!allowed) throw new CoreError('forbidden', refusal)
    if (!remote) throw new CoreError('server_unavailable', PRIVACY_NEEDS_SERVER)
    try {
      return await remote.withAccess((token) => fn(remote.transport, token))
    } catch (e) {
      // A restored server: the sync engine recovers first; the DPO tries again after.
      if (e instanceof SyncError && e.kind === 'restored') remote.afterChange()
      throw privacyRefusalOf(e, listing)
    }
  }

  /** A change made on the server (history events, anonymised requests): this console syncs. */
  function changed<T>(value: T): T {
    remote?.afterChange()
    return value
  }

  return {
    async search(session: SessionInfo, input: { q: string; limit: number }): Promise<CitizenSearchReply> {
      return onServer(
        canExerciseRights(session),
        (t, token) => t.privacySearch(token, input.q, input.limit),
        true,
      )
    },
    /**
     * A citizen's requests by their exact e-mail or phone, for a supervisor or the DPO on the
     * phone with them (the server logs each citizen shown; the term is logged nowhere).
     */
    async lookup(
      session: SessionInfo,
      q: string,
      citizenDataRoles: readonly Role[],
    ): Promise<CitizenLookupReply> {
      const workstation = hostname().slice(0, PRIVACY_LIMITS.workstation)
      return onServer(
        canLookUpCitizen(session, citizenDataRoles),
        (t, token) =>
          t.citizenLookup(token, {
            q,
            clientId: remote?.clientId ?? 'console',
            ...(workstation ? { workstation } : {}),
          }),
        false,
        LOOKUP_REFUSED,
      )
    },
    async file(session: SessionInfo, citizenId: string): Promise<CitizenFile> {
      return onServer(canExerciseRights(session), (t, token) => t.privacyFile(token, citizenId))
    },
    /** Logged by the server, with an `exported` event on each request: fed back to consoles. */
    async export(session: SessionInfo, citizenId: string): Promise<SubjectAccessExport> {
      return changed(
        await onServer(canExerciseRights(session), (t, token) => t.privacyExport(token, citizenId)),
      )
    },
    async rectify(session: SessionInfo, input: PrivacyRectifyInput): Promise<RectifyReply> {
      const { id, ...body } = input
      return changed(
        await onServer(canExerciseRights(session), (t, token) => t.privacyRectify(token, id, body)),
      )
    },
    async erase(session: SessionInfo, input: PrivacyEraseInput): Promise<ErasureResult> {
      return changed(
        await onServer(canExerciseRights(session), (t, token) =>
          t.privacyErase(token, input.id, input.reason),
        ),
      )
    },
    async legalHold(session: SessionInfo, input: PrivacyLegalHoldInput): Promise<LegalHoldReply> {
      return changed(
        await onServer(canExerciseRights(session), (t, token) =>
          t.privacyLegalHold(token, input.requestId, input.reason),
        ),
      )
    },
    async accessLog(session: SessionInfo, query: AccessLogQuery): Promise<AccessLogPage> {
      return onServer(canReadAccessLog(session), (t, token) => t.privacyAccessLog(token, query), true)
    },
    /**
     * What the next retention run would do (the server's dry run: nothing changes, nothing is
     * logged), with the policy it runs with. `cache`: where this console keeps the server's
     * policy, and the configuration's for a profile not synced yet.
     */
    async retentionPreview(
      session: SessionInfo,
      cache: { db: Db; config: { privacy: { retention: RetentionPolicy } } },
    ): Promise<RetentionPreview> {
      try {
        const plan = await onServer(
          canExerciseRights(session),
          (t, token) => t.privacyRetentionPreview(token),
          true,
        )
        return { ...plan, policy: retentionPolicyOf(cache.db, cache.config.privacy.retention) }
      } catch (e) {
        if (!isOutdatedServer(e)) throw e
        throw new CoreError('server_unavailable', RETENTION_NOT_ON_SERVER, {
          reason: RETENTION_NOT_ON_SERVER,
          outdated: true,
        })
      }
    },
  }
}

export type PrivacyService = ReturnType<typeof createPrivacyService>
