/**
 * The one configuration schema. Every key has a default so a workstation with no
 * configuration opens the demo profile; later issues add their sections here
 * (directory, server, map).
 */
import { z } from 'zod'
import { Role } from '../../shared/domain'
import { AttachmentSettingsSchema } from './attachments'
import { ConsoleNotificationsSchema } from './consoleNotifications'
import { BaseMapChoice, DEFAULT_DEPOT, Depot, TeamDepots } from '../../shared/mapSettings'
import { Controller, RETENTION_DEFAULTS, RetentionMonths } from '../../shared/privacy'

const HourMinute = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM (24 h)')
const IsoDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD')

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]'])

/** null when not a URL (z.url has said so already). */
const urlOf = (u: string): URL | null => {
  try {
    return new URL(u)
  } catch {
    return null
  }
}

/** A URL's host is this machine: what travels to it never crosses a network. */
const isLoopbackUrl = (u: string): boolean => {
  const url = urlOf(u)
  return url !== null && LOOPBACK_HOSTS.has(url.hostname)
}

/** An absolute https URL (http only on loopback), without query or fragment; no trailing slash. */
const httpsUrl = (key: string) =>
  z
    .url({ protocol: /^https?$/, error: `${key} must be an http(s) URL` })
    .refine(
      (u) => {
        const url = urlOf(u)
        return !url || url.protocol === 'https:' || LOOPBACK_HOSTS.has(url.hostname)
      },
      { message: `${key} must use https (http only on loopback: localhost, 127.0.0.1, [::1])` },
    )
    .refine(
      (u) => {
        const url = urlOf(u)
        return !url || (!url.search && !url.hash && !url.username && !url.password)
      },
      { message: `${key} has no query, fragment or credentials` },
    )
    .transform((u) => u.replace(/\/+$/, ''))
const PublicUrl = httpsUrl('publicUrl')

/** A group of the directory, by DN or by name (its cn), and what belonging to it gives. */
const GroupMapping = z
  .object({
    group: z.string().min(1).max(1024),
    roles: z.array(Role).default([]),
    teams: z.array(z.string().min(1).max(64)).default([]),
  })
  .strict()

/** The authority's directory: OpenLDAP or Active Directory, through ldapts. */
export const LdapConfig = z
  .object({
    /** Tried in order while one is down: `ldaps://` (TLS from the start) or `ldap://` (with startTls). */
    urls: z
      .array(
        z
          .string()
          .regex(/^ldaps?:\/\/[^\s/]+(:\d{1,5})?\/?$/, 'expected ldap://host[:port] or ldaps://host[:port]'),
      )
      .min(1),
    /** Upgrade `ldap://` connections with StartTLS (required unless allowPlain). */
    startTls: z.boolean().default(true),
    /** Plain `ldap://` without TLS: passwords would cross the network in clear. Test labs only. */
    allowPlain: z.boolean().default(false),
    /** PEM file of the CA that signed the directory's certificate (else the system's CAs). */
    caFile: z.string().min(1).optional(),
    minTlsVersion: z.enum(['TLSv1.2', 'TLSv1.3']).default('TLSv1.2'),
    connectTimeoutMs: z.number().int().min(100).max(60_000).default(5000),
    /** Each operation (bind, search): ldapts waits forever unless told. */
    timeoutMs: z.number().int().min(100).max(120_000).default(10_000),
    /** The service account that searches for users; none: anonymous search. */
    bindDN: z.string().min(1).max(1024).optional(),
    /**
     * Its password, never in clear in this file: `env` names an environment variable (servers);
     * `encryptedFile` is a file written by the console, encrypted by the OS keychain (workstations).
     */
    bindPassword: z
      .union([
        z.object({ env: z.string().regex(/^[A-Z_][A-Z0-9_]*$/) }).strict(),
        z.object({ encryptedFile: z.string().min(1) }).strict(),
      ])
      .optional(),
    /**
     * Without a service account: bind as the user first, with this name (`{login}` replaced),
     * e.g. `uid={login},ou=people,dc=ville,dc=fr` or, for Active Directory, `{login}@ville.local`;
     * then read their own entry. No shared secret on workstations.
     */
    userBindTemplate: z.string().min(1).max(1024).includes('{login}').optional(),
    userSearchBase: z.string().min(1).max(1024),
    /** Extra conditions on user entries, an LDAP filter: `(objectClass=person)`, AD `(objectCategory=person)`. */
    userFilter: z
      .string()
      .regex(/^\(.*\)$/, 'an LDAP filter in parentheses')
      .default('(objectClass=person)'),
    loginAttribute: z.enum(['uid', 'sAMAccountName', 'userPrincipalName', 'mail']).default('uid'),
    displayNameAttribute: z.string().min(1).max(64).default('cn'),
    groups: z
      .object({
        /** `memberOf` on the user entry, or a search of group entries by `member` / `uniqueMember`. */
        lookup: z.enum(['memberOf', 'member', 'uniqueMember']).default('memberOf'),
        searchBase: z.string().min(1).max(1024).optional(),
        /** Active Directory: nested groups through LDAP_MATCHING_RULE_IN_CHAIN (1.2.840.113556.1.4.1941). */
        nested: z.boolean().default(false),
      })
      .strict()
      .prefault({}),
    mapping: z.array(GroupMapping).min(1),
  })
  .strict()
  .refine((l) => !l.bindDN || l.bindPassword !== undefined, {
    message: 'a bindDN needs its bindPassword (env or encryptedFile): never an unauthenticated bind',
    path: ['bindPassword'],
  })
  .refine((l) => l.allowPlain || l.startTls || l.urls.every((u) => u.startsWith('ldaps://')), {
    message:
      'ldap:// without startTls would send passwords in clear (set startTls, use ldaps://, or allowPlain for a directory on this machine)',
    path: ['startTls'],
  })
  // Plain LDAP is for a test directory on this very machine: on a network anyone on the way
  // reads the agents' passwords.
  .refine((l) => !l.allowPlain || l.urls.every(isLoopbackUrl), {
    message:
      'allowPlain (ldap:// without TLS) is only allowed when every url is on loopback (localhost, 127.0.0.1, [::1]): use ldaps:// or startTls for a directory on the network',
    path: ['allowPlain'],
  })
export type LdapConfig = z.output<typeof LdapConfig>

export const AppConfigSchema = z
  .object({
    profile: z
      .object({
        /** Profile name: one SQLite cache per profile, under `<dataDir>/profiles/<name>/`. */
        name: z
          .string()
          .regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'lower-case letters, digits, dot, dash, underscore')
          .default('demo'),
        /** Where profiles live; defaults to the app's user-data folder. */
        dataDir: z.string().min(1).optional(),
      })
      .strict()
      .prefault({}),
    auth: z
      .object({
        provider: z.enum(['local', 'ldap']).default('local'),
        local: z
          .object({
            /** JSON list of embedded accounts with scrypt hashes; the demo accounts when absent. */
            accountsFile: z.string().min(1).optional(),
          })
          .strict()
          .prefault({}),
        ldap: LdapConfig.optional(),
        /** After a directory login, the same password opens an offline session for this long. */
        offlineDays: z.number().int().min(0).max(90).default(7),
        /** Minutes without activity before the session locks (0: never). */
        idleLockMinutes: z
          .number()
          .int()
          .min(0)
          .max(24 * 60)
          .default(15),
      })
      .refine((a) => a.provider !== 'ldap' || a.ldap !== undefined, {
        message: 'provider "ldap" needs an "ldap" section',
        path: ['ldap'],
      })
      .strict()
      .prefault({}),
    demo: z
      .object({
        /** Seed the profile with demo data when its cache is empty. */
        seedWhenEmpty: z.boolean().default(true),
        requests: z.number().int().min(0).max(1_000_000).default(5000),
        seed: z.number().int().default(42),
      })
      .strict()
      .prefault({}),
    ui: z
      .object({
        /** The interface's language until an agent picks one on this workstation. */
        language: z.enum(['fr', 'en']).default('fr'),
        /** `compact` tightens lines and controls (texts stay 13 px or more). */
        density: z.enum(['comfortable', 'compact']).default('comfortable'),
        /** The screen after login; `auto`: « Ma journée » for a technician, the queue otherwise. */
        startScreen: z.enum(['auto', 'queue', 'map', 'tours', 'day']).default('auto'),
      })
      .strict()
      .prefault({}),
    workflows: z
      .object({
        /** A folder of workflow definitions replacing the built-in ones. */
        dir: z.string().min(1).optional(),
      })
      .strict()
      .prefault({}),
    sla: z
      .object({
        timeZone: z.string().min(1).default('Europe/Paris'),
        dayStart: HourMinute.default('08:30'),
        dayEnd: HourMinute.default('17:30'),
        /** Good Friday and 26 December are public holidays in Alsace-Moselle only. */
        alsaceMoselle: z.boolean().default(false),
        extraClosedDays: z.array(IsoDay).default([]),
      })
      .strict()
      .refine((s) => s.dayStart < s.dayEnd, { message: 'dayStart must be before dayEnd', path: ['dayEnd'] })
      .prefault({}),
    sync: z
      .object({
        /** The central server (`npm run server`); none: the console works on its local cache alone. */
        serverUrl: z
          .url({ protocol: /^https?$/, error: 'serverUrl must be an http(s) URL' })
          // Passwords and tokens travel to it: in clear only when they never leave this machine.
          .refine((u) => urlOf(u)?.protocol === 'https:' || isLoopbackUrl(u), {
            message:
              'serverUrl must use https:// (http:// only on loopback: localhost, 127.0.0.1, [::1]): passwords and tokens would cross the network in clear',
          })
          .nullable()
          .default(null),
        /**
         * PEM file of the authority's own certificate authority, for a server whose certificate
         * it signed: trusted for the server in addition to the system's CAs.
         */
        caFile: z.string().min(1).optional(),
        /** Seconds between two rounds when no nudge came (nudges make it near-immediate). */
        intervalSeconds: z.number().int().min(5).max(3600).default(60),
        /** Seconds before a request to the server is given up (then retried with backoff). */
        timeoutSeconds: z.number().int().min(1).max(600).default(20),
        /** Changes per page of the feed: smaller pages keep the UI smoother on slow machines. */
        pageSize: z.number().int().min(10).max(1000).default(200),
      })
      .strict()
      .prefault({}),
    server: z
      .object({
        /**
         * The central server's address as partners and portals reach it (behind a reverse proxy,
         * a load balancer): the OpenAPI document names it. https, or http on loopback only.
         * Without it the document names no server (never the Host header a client sent).
         */
        publicUrl: PublicUrl.optional(),
        /**
         * Reverse proxies and load balancers in front of the server whose `X-Forwarded-For` is
         * believed (addresses or CIDR ranges, e.g. ["10.0.0.5", "10.1.0.0/16"]): login limits
         * then count each client's address, not the proxy's. Empty: the peer's own address.
         */
        trustedProxies: z.array(z.string().min(2).max(64)).max(64).default([]),
      })
      .strict()
      .prefault({}),
    policy: z
      .object({
        /**
         * Machine file (or GPO) only: keys or whole sections the user's file and `GRC_CONFIG`
         * cannot change, e.g. ["auth.idleLockMinutes", "sync.serverUrl", "ui"]. The security
         * sections the machine sets are locked anyway (config/policy.ts).
         */
        locked: z
          .array(
            z
              .string()
              .regex(/^[a-zA-Z]+(\.[a-zA-Z]+)*$/, 'a dotted configuration key, e.g. auth.idleLockMinutes'),
          )
          .max(200)
          .default([]),
      })
      .strict()
      .prefault({}),
    security: z
      .object({
        /**
         * Linux without a keychain (GNOME Keyring, KWallet): seal the cache's key with
         * Chromium's `basic_text` fallback, a key known to all, instead of refusing to start.
         * Machine configuration only (IT); the login screen then says the cache is weakly protected.
         */
        allowWeakKeychain: z.boolean().default(false),
      })
      .strict()
      .prefault({}),
    privacy: z
      .object({
        /** Roles that may read a citizen's contact details (each read is logged). */
        citizenDataRoles: z.array(Role).default(['agent', 'lead', 'supervisor', 'dpo']),
        /** Months the access log is kept (CNIL recommendation 2021-122: 6 months to a year). */
        accessLogMonths: z.number().int().min(1).max(36).default(12),
        /** A console not opened for this many days forgets its synced data at its next start. */
        cacheMaxIdleDays: z.number().int().min(1).max(365).default(30),
        /**
         * The authority's retention defaults for closed requests (a category may set its own);
         * null: never. No deletion by default: public archives are destroyed only with a visa
         * d'élimination (Code du patrimoine L212-2), so requests are anonymised instead.
         */
        retention: z
          .object({
            anonymiseAfterClosedMonths: RetentionMonths.nullable().default(
              RETENTION_DEFAULTS.anonymiseAfterClosedMonths,
            ),
            deleteAfterClosedMonths: RetentionMonths.nullable().default(
              RETENTION_DEFAULTS.deleteAfterClosedMonths,
            ),
            keepInternalComments: z.boolean().default(RETENTION_DEFAULTS.keepInternalComments),
            /** When the server's daily run starts (Europe/Paris). */
            runAt: HourMinute.default(RETENTION_DEFAULTS.runAt),
          })
          .strict()
          .refine(
            (r) =>
              r.anonymiseAfterClosedMonths === null ||
              r.deleteAfterClosedMonths === null ||
              r.deleteAfterClosedMonths >= r.anonymiseAfterClosedMonths,
            {
              message: 'deleteAfterClosedMonths comes after anonymiseAfterClosedMonths',
              path: ['deleteAfterClosedMonths'],
            },
          )
          .prefault({}),
        /** The data controller, named in subject access exports. */
        controller: Controller.strict().optional(),
      })
      .strict()
      .prefault({}),
    update: z
      .object({
        /**
         * The authority's own update server (a folder served over https holding the installers
         * and `latest.yml` / `latest-linux.yml` / `latest-mac.yml`, as `npm run dist` makes them).
         * None: the console never looks for updates (no public service by default).
         */
        url: httpsUrl('update.url').nullable().default(null),
        /** `stable` (the `latest*.yml` files) or `test` (`beta*.yml`: the pilot workstations). */
        channel: z.enum(['stable', 'test']).default('stable'),
        /** false: IT deploys new versions with its own tools; the console never updates itself. */
        enabled: z.boolean().default(true),
        /** Hours between two looks at the update server while the console is open. */
        checkIntervalHours: z.number().int().min(1).max(168).default(4),
      })
      .strict()
      .prefault({}),
    geocoding: z
      .object({
        /**
         * The address search (BAN, `api-adresse.data.gouv.fr` format: `/search/`, `/reverse/`).
         * An authority may point it at its own addok instance. https, or http on loopback only.
         */
        url: httpsUrl('geocoding.url').default('https://api-adresse.data.gouv.fr'),
        /** Seconds before an address search is given up (the agent can still pick a point). */
        timeoutSeconds: z.number().int().min(1).max(30).default(4),
      })
      .strict()
      .prefault({}),
    /** Photos and documents on the reference server (issue 14; src/core/config/attachments.ts). */
    attachments: AttachmentSettingsSchema,
    consoleNotifications: ConsoleNotificationsSchema,
    notifications: z
      .object({
        /**
         * The server's outgoing mail (nodemailer), e.g.
         * `{ "url": "smtp://mail.ville.fr:587", "from": "GRC Ville <grc@ville.fr>" }`
         * (`smtps://` for implicit TLS). Absent: no e-mail is sent (each notice says so in the
         * request's history).
         */
        smtp: z
          .object({
            url: z
              .url({
                protocol: /^smtps?$/,
                error: 'notifications.smtp.url must be smtp://host:port or smtps://host:port',
              })
              .refine((u) => {
                const url = urlOf(u)
                return !url || (!url.username && !url.password && !url.search)
              }, 'notifications.smtp.url carries no user, password or query: use auth'),
            /** The sender, `grc@ville.fr` or `Ville de Nancy <grc@ville.fr>`. */
            from: z
              .string()
              .min(3)
              .max(320)
              .regex(/^[^\r\n]*@[^\r\n]*$/, 'an e-mail address'),
            /**
             * smtp:// only. `required` (default): STARTTLS or nothing is sent; `none`: plain text,
             * allowed only to a relay on this machine (loopback).
             */
            startTls: z.enum(['required', 'none']).default('required'),
            auth: z
              .object({
                user: z.string().min(1).max(256),
                password: z.union([
                  z.object({ env: z.string().regex(/^[A-Z_][A-Z0-9_]*$/) }).strict(),
                  z.object({ file: z.string().min(1).max(1024) }).strict(),
                ]),
              })
              .strict()
              .optional(),
            /** PEM file of the authority's own certification authority (an internal relay). */
            caFile: z.string().min(1).max(1024).optional(),
            /** Seconds before a connection or an answer is given up. */
            timeoutSeconds: z.number().int().min(1).max(300).default(30),
          })
          .strict()
          .refine((s) => s.startTls === 'required' || s.url.startsWith('smtps://') || isLoopbackUrl(s.url), {
            message:
              'startTls "none" would send the citizens\u2019 messages in clear: only to a relay on loopback (localhost, 127.0.0.1, [::1])',
            path: ['startTls'],
          })
          .optional(),
        /** The SMS provider (one HTTP JSON provider); absent: no SMS is sent. */
        sms: z
          .object({
            /** `http-json`: POST {from, to, text} as JSON with `Authorization: Bearer <token>` (docs/server.md). */
            provider: z.literal('http-json').default('http-json'),
            url: httpsUrl('notifications.sms.url'),
            token: z.union([
              z.object({ env: z.string().regex(/^[A-Z_][A-Z0-9_]*$/) }).strict(),
              z.object({ file: z.string().min(1).max(1024) }).strict(),
            ]),
            /** The sender name shown on the phone (11 letters or digits at most, as operators allow). */
            sender: z.string().regex(/^[A-Za-z0-9 ]{1,11}$/, '1 to 11 letters, digits or spaces'),
            timeoutSeconds: z.number().int().min(1).max(120).default(15),
          })
          .strict()
          .optional(),
        /** Failed sendings are tried again after a growing wait (initial × 2ⁿ, capped). */
        retry: z
          .object({
            maxAttempts: z.number().int().min(1).max(20).default(6),
            initialDelaySeconds: z.number().min(0.05).max(86_400).default(60),
            maxDelaySeconds: z
              .number()
              .min(0.05)
              .max(7 * 86_400)
              .default(6 * 3600),
          })
          .strict()
          .refine((r) => r.maxDelaySeconds >= r.initialDelaySeconds, {
            message: 'maxDelaySeconds is at least initialDelaySeconds',
            path: ['maxDelaySeconds'],
          })
          .prefault({}),
        /**
         * Templates may name the agent who acted (`{agent}`); by default they cannot: the
         * citizen hears from the service, never from a named person.
         */
        allowAgentName: z.boolean().default(false),
      })
      .strict()
      .prefault({}),
    map: z
      .object({
        /**
         * `"osm"`, `"ign-plan-v2"`, or the authority's own server:
         * `{ "kind": "xyz", "url": "https://…/{z}/{x}/{y}.png", "attribution": "…" }` or
         * `{ "kind": "wmts", "url": "https://…/wmts", "layer": "…", "matrixSet": "…", "attribution": "…" }`.
         * The CSP lets in this source's origin and no other.
         */
        baseMap: BaseMapChoice.default('osm'),
        /** Where tours start and end unless the team has its own. */
        depot: Depot.default(DEFAULT_DEPOT),
        /** Per team id: its own depot (a technical centre, a district workshop). */
        teamDepots: TeamDepots.default({}),
      })
      .strict()
      .prefault({}),
  })
  .strict()

export type AppConfig = z.output<typeof AppConfigSchema>
