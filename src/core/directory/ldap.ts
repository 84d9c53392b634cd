/**
 * The authority's directory (OpenLDAP, Active Directory) through ldapts: find the user with
 * the service account and an escaped filter, bind as them with their password, read their
 * groups, map the groups to roles and teams.
 *
 * Every connection has a connect and an operation timeout (ldapts waits forever otherwise),
 * TLS 1.2 at least, and the configured CA; servers are tried in order while one is down.
 * Errors say, in words, which of these it is: wrong credentials, directory unreachable,
 * certificate not trusted, account disabled, no role. Passwords never reach a message.
 */
import { isIP } from 'node:net'
import { Client, escapeFilter, InvalidCredentialsError, ResultCodeError, type Entry } from 'ldapts'
import type { Role } from '../../shared/domain'
import { CoreError } from '../../shared/result'
import type { LdapConfig } from '../config/schema'
import type { AuthIdentity, AuthProvider } from './provider'

export interface LdapProviderOptions {
  /** The service account's password, resolved from its reference (env or encrypted file). */
  bindPassword?: string | null
  /** The CA file's PEM, read once at start. */
  ca?: Buffer | null
  now?: () => number
}

const BAD_CREDENTIALS = 'Identifiant ou mot de passe incorrect.'
const UNREACHABLE = 'L’annuaire est injoignable (aucun des serveurs configurés ne répond).'
const UNTRUSTED =
  'Le certificat présenté par l’annuaire n’est pas signé par une autorité de confiance : connexion refusée.'
const DISABLED = 'Ce compte est désactivé, verrouillé ou expiré dans l’annuaire.'
const NO_ROLE = 'Ce compte n’appartient à aucun groupe de l’annuaire donnant un rôle dans la console.'
const REFUSED = 'L’annuaire a refusé la demande de connexion : prévenez le support informatique.'
const SERVICE_REFUSED = 'Le compte de service de l’annuaire est refusé : prévenez le support informatique.'

/** Node's codes for a certificate chain it does not trust. */
const TLS_UNTRUSTED = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_SIGNATURE_FAILURE',
])

/** Active Directory's reasons inside an invalidCredentials answer ("…, data 533, …"). */
const AD_ACCOUNT_PROBLEMS = [
  'data 530',
  'data 531',
  'data 532',
  'data 533',
  'data 701',
  'data 773',
  'data 775',
]

/** userAccountControl: ACCOUNTDISABLE. */
const UAC_DISABLED = 0x2
/** accountExpires, 100 ns since 1601; 0 and 2^63-1 mean never. */
const AD_NEVER = [0n, 0x7fffffffffffffffn]
const FILETIME_EPOCH_OFFSET_MS = 11644473600000n

type Kind = 'unreachable' | 'untrusted' | 'other'

/** Result codes that mean "not now, ask another server": busy, unavailable, unwilling. */
const TRY_ELSEWHERE = new Set([51, 52, 53])

function kindOf(error: unknown): Kind {
  // The server answered with a result code: its own words never decide (AD's texts say "connection").
  if (error instanceof ResultCodeError) return TRY_ELSEWHERE.has(error.code) ? 'unreachable' : 'other'
  const e = error as { code?: unknown; message?: unknown; cause?: unknown }
  if (typeof e?.code === 'string' && TLS_UNTRUSTED.has(e.code)) return 'untrusted'
  if (e?.cause && kindOf(e.cause) === 'untrusted') return 'untrusted'
  const message = typeof e?.message === 'string' ? e.message : ''
  if (/certificate|self[- ]signed/i.test(message)) return 'untrusted'
  if (typeof e?.code === 'string' && /^E(CONN|HOST|NET|ADDR|PIPE|TIMEDOUT|NOTFOUND|AI_)/.test(e.code))
    return 'unreachable'
  if (/timeout|timed out|closed|socket|ECONN|connect/i.test(message)) return 'unreachable'
  return 'other'
}

const first = (entry: Entry, attribute: string): string | null => {
  const value =
    entry[attribute] ??
    entry[Object.keys(entry).find((k) => k.toLowerCase() === attribute.toLowerCase()) ?? '']
  const v = Array.isArray(value) ? value[0] : value
  return v === undefined ? null : Buffer.isBuffer(v) ? v.toString('utf8') : String(v)
}
const all = (entry: Entry, attribute: string): string[] => {
  const key = Object.keys(entry).find((k) => k.toLowerCase() === attribute.toLowerCase())
  const value = key ? entry[key] : undefined
  const list = value === undefined ? [] : Array.isArray(value) ? value : [value]
  return list.map((v) => (Buffer.isBuffer(v) ? v.toString('utf8') : String(v)))
}

/** A DN's RDNs, each a list of [attribute, value] (multi-valued with `+`), values unescaped. */
function parseDn(dn: string): Array<Array<[string, string]>> {
  const rdns: Array<Array<[string, string]>> = [[]]
  let i = 0
  const text = dn.trim()
  while (i < text.length) {
    const eq = text.indexOf('=', i)
    if (eq < 0) break
    const type = text.slice(i, eq).trim()
    const bytes: number[] = []
    let escapedTail = 0
    i = eq + 1
    for (; i < text.length && text[i] !== ',' && text[i] !== '+'; i++) {
      const hex = text[i] === '\\' ? /^[0-9a-fA-F]{2}/.exec(text.slice(i + 1, i + 3)) : null
      if (hex) {
        bytes.push(parseInt(hex[0], 16))
        i += 2
        escapedTail = bytes.length
      } else if (text[i] === '\\') {
        bytes.push(...Buffer.from(text[++i] ?? '', 'utf8'))
        escapedTail = bytes.length
      } else bytes.push(...Buffer.from(text[i]!, 'utf8'))
    }
    // Unescaped spaces around a value are not part of it; escaped ones are.
    let end = bytes.length
    while (end > escapedTail && bytes[end - 1] === 0x20) end--
    let startAt = 0
    while (startAt < end && bytes[startAt] === 0x20) startAt++
    rdns[rdns.length - 1]!.push([type, Buffer.from(bytes.slice(startAt, end)).toString('utf8')])
    if (text[i] === ',') rdns.push([])
    i++
  }
  return rdns.filter((r) => r.length > 0)
}

/** DNs compared as the directory would: case, spaces and escaping style do not matter. */
export function normalizeDn(dn: string): string {
  return parseDn(dn)
    .map((rdn) =>
      rdn
        .map(([t, v]) => `${t.toLowerCase()}=${JSON.stringify(v.toLowerCase())}`)
        .sort()
        .join('+'),
    )
    .join(',')
}

/** The value of a DN's first RDN, unescaped: `cn=Voirie\, Nord,ou=groups` → `Voirie, Nord`. */
export function groupName(dn: string): string {
  return parseDn(dn)[0]?.[0]?.[1] ?? dn
}

/** Roles and teams the groups give, through the configured mapping. */
export function mapGroups(groups: readonly string[], mapping: LdapConfig['mapping']) {
  const dns = new Set(groups.map(normalizeDn))
  const names = new Set(groups.map((g) => groupName(g).toLowerCase()))
  const roles = new Set<Role>()
  const teams = new Set<string>()
  for (const m of mapping) {
    const hit = m.group.includes('=') ? dns.has(normalizeDn(m.group)) : names.has(m.group.toLowerCase())
    if (!hit) continue
    m.roles.forEach((r) => roles.add(r))
    m.teams.forEach((t) => teams.add(t))
  }
  return { roles: [...roles], teamIds: [...teams] }
}

export function createLdapProvider(config: LdapConfig, options: LdapProviderOptions = {}): AuthProvider {
  const now = options.now ?? Date.now
  const tlsOptions = {
    minVersion: config.minTlsVersion,
    ...(options.ca ? { ca: [options.ca] } : {}),
  } as const

  function disabledReason(entry: Entry): boolean {
    const uac = first(entry, 'userAccountControl')
    if (uac !== null && (Number(uac) & UAC_DISABLED) !== 0) return true
    if (first(entry, 'pwdAccountLockedTime') !== null) return true
    const expires = first(entry, 'accountExpires')
    if (expires !== null && /^\d+$/.test(expires)) {
      const v = BigInt(expires)
      if (!AD_NEVER.includes(v) && v / 10000n - FILETIME_EPOCH_OFFSET_MS < BigInt(now())) return true
    }
    return false
  }

  async function groupsOf(client: Client, entry: Entry): Promise<string[]> {
    const { lookup, nested, searchBase } = config.groups
    const base = searchBase ?? config.userSearchBase
    if (nested) {
      // Active Directory walks the nesting itself with this matching rule.
      const { searchEntries } = await client.search(base, {
        scope: 'sub',
        filter: escapeFilter`(member:1.2.840.113556.1.4.1941:=${entry.dn})`,
        attributes: ['1.1'],
      })
      return searchEntries.map((e) => e.dn)
    }
    if (lookup === 'memberOf') {
      // A group of a mapped name elsewhere in the directory gives nothing: only under searchBase.
      const under = searchBase ? normalizeDn(searchBase) : null
      return all(entry, 'memberOf').filter((dn) => !under || normalizeDn(dn).endsWith(`,${under}`))
    }
    const filter =
      lookup === 'member' ? escapeFilter`(member=${entry.dn})` : escapeFilter`(uniqueMember=${entry.dn})`
    const { searchEntries } = await client.search(base, { scope: 'sub', filter, attributes: ['1.1'] })
    return searchEntries.map((e) => e.dn)
  }

  function newClient(url: string): Client {
    return new Client({
      url,
      timeout: config.timeoutMs,
      connectTimeout: config.connectTimeoutMs,
      // TLS options on an ldap:// client would make ldapts speak TLS at once on the plain port.
      ...(url.startsWith('ldaps://') ? { tlsOptions } : {}),
      strictDN: true,
    })
  }

  async function upgrade(client: Client, url: string): Promise<void> {
    if (url.startsWith('ldaps://') || !config.startTls) return
    // ldapts does not pass the host to the upgrade: without it Node checks the name "localhost".
    const host = new URL(url).hostname.replace(/^\[|\]$/g, '')
    await client.startTLS({ ...tlsOptions, host, ...(isIP(host) ? {} : { servername: host }) })
  }

  /** Service account, or anonymous: whoever searches the directory. */
  async function bindSearcher(client: Client) {
    if (!config.bindDN) return
    try {
      await client.bind(config.bindDN, options.bindPassword ?? '')
    } catch (e) {
      if (e instanceof InvalidCredentialsError) throw new CoreError('internal', SERVICE_REFUSED)
      throw e
    }
  }

  async function bindUser(client: Client, name: string, password: string) {
    try {
      await client.bind(name, password)
    } catch (e) {
      if (e instanceof InvalidCredentialsError) throw refusedBind(e)
      throw e
    }
  }

  async function loginOn(
    client: Client,
    url: string,
    login: string,
    password: string,
  ): Promise<AuthIdentity> {
    await upgrade(client, url)
    await bindSearcher(client)
    const viaTemplate = !config.bindDN && config.userBindTemplate !== undefined
    // No service account: the user binds first to be allowed to read their own entry.
    if (viaTemplate) {
      const template = config.userBindTemplate!
      const value = template.includes('=') ? escapeDnValue(login) : login
      await bindUser(
        client,
        template.replace('{login}', () => value),
        password,
      )
    }
    const attribute = config.loginAttribute
    const { searchEntries } = await client.search(config.userSearchBase, {
      scope: 'sub',
      // The login is escaped: `*`, `(`, `)`, `\` and NUL are data, never filter syntax.
      filter: `(&${config.userFilter}${escapeFilter`(${attribute}=${login})`})`,
      sizeLimit: 2,
      attributes: [
        attribute,
        config.displayNameAttribute,
        'memberOf',
        'userAccountControl',
        'accountExpires',
        'pwdAccountLockedTime',
      ],
    })
    // Unknown and ambiguous logins answer like a wrong password: no way to probe who exists.
    if (searchEntries.length !== 1) throw new CoreError('bad_credentials', BAD_CREDENTIALS)
    const entry = searchEntries[0]!
    // Always the entry found: the identity is the account whose password was checked.
    // A locked account (OpenLDAP's password policy) refuses every bind: the directory says
    // why in the entry, so the agent hears "disabled", not "wrong password".
    try {
      await bindUser(client, entry.dn, password)
    } catch (e) {
      if (e instanceof CoreError && e.code === 'bad_credentials' && disabledReason(entry))
        throw new CoreError('account_disabled', DISABLED)
      throw e
    }
    if (disabledReason(entry)) throw new CoreError('account_disabled', DISABLED)
    // Groups read as the searcher (a user may not be allowed to read group entries).
    if (!viaTemplate) await bindSearcher(client)
    const { roles, teamIds } = mapGroups(await groupsOf(client, entry), config.mapping)
    if (roles.length === 0) throw new CoreError('no_role', NO_ROLE)
    return {
      login: first(entry, attribute) ?? login,
      displayName: first(entry, config.displayNameAttribute) ?? login,
      roles,
      teamIds,
      kind: 'online',
    }
  }

  /** One server, with a deadline on the whole exchange (ldapts has none on StartTLS). */
  async function tryServer(url: string, login: string, password: string): Promise<AuthIdentity> {
    const client = newClient(url)
    let timer: NodeJS.Timeout | undefined
    const deadline = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(
        () => reject(Object.assign(new Error('directory deadline'), { code: 'ETIMEDOUT' })),
        config.connectTimeoutMs + 3 * config.timeoutMs,
      )
    })
    try {
      return await Promise.race([loginOn(client, url, login, password), deadline])
    } finally {
      clearTimeout(timer)
      // Every path closes the connection, a refused StartTLS and a deadline included.
      await Promise.race([client.unbind().catch(() => {}), new Promise((r) => setTimeout(r, 1000).unref())])
    }
  }

  return {
    name: 'ldap',
    async authenticate(rawLogin, password): Promise<AuthIdentity> {
      // Many servers take an empty password as an anonymous bind that "succeeds": refused here, first.
      if (password.length === 0) throw new CoreError('bad_credentials', 'Le mot de passe est vide.')
      const login = rawLogin.trim()
      // Control characters (NUL first) have no place in a login: refused before any network call.
      if (login.length === 0 || [...login].some((c) => c.charCodeAt(0) < 0x20))
        throw new CoreError('bad_credentials', BAD_CREDENTIALS)
      let sawUntrusted = false
      for (const url of config.urls) {
        try {
          return await tryServer(url, login, password)
        } catch (e) {
          if (e instanceof CoreError) throw e
          const kind = kindOf(e)
          // The directory answered with a refusal we do not expect: said as such, never taken for
          // "unreachable" (which would open an offline session).
          if (kind === 'other') throw new CoreError('internal', `${REFUSED} (${describe(e)})`)
          if (kind === 'untrusted') sawUntrusted = true
          // Unreachable or untrusted: the next server may do better.
        }
      }
      if (sawUntrusted) throw new CoreError('certificate_untrusted', UNTRUSTED)
      throw new CoreError('directory_unreachable', UNREACHABLE)
    },
  }
}

/** A refused user bind: Active Directory says in the message when the account is the problem. */
function refusedBind(e: InvalidCredentialsError): CoreError {
  const detail = e.message ?? ''
  if (AD_ACCOUNT_PROBLEMS.some((d) => detail.includes(d))) return new CoreError('account_disabled', DISABLED)
  return new CoreError('bad_credentials', BAD_CREDENTIALS)
}

/** RFC 4514: a value placed in a DN, escaped. */
export function escapeDnValue(value: string): string {
  return value
    .replace(/[\\,+"<>;=]/g, (c) => `\\${c}`)
    .replace(/^[ #]/, (c) => `\\${c}`)
    .replace(/ $/, '\\ ')
}

/** An error's class and code, never its message (which could quote a DN or a filter). */
function describe(error: unknown): string {
  const e = error as { name?: unknown; code?: unknown }
  return [typeof e?.name === 'string' ? e.name : 'Error', e?.code !== undefined ? String(e.code) : '']
    .filter(Boolean)
    .join(' ')
}
