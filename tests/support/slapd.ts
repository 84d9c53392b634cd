/**
 * A real, throwaway OpenLDAP server for the directory (LDAP / Active Directory) login tests.
 *
 * `startSlapd()` builds everything in a fresh temp dir: a test CA and a server certificate (openssl CLI),
 * a cn=config directory (slapadd), then runs `slapd` on two free ports (plain + StartTLS, and LDAPS) and
 * loads the fixture directory below with ldapadd, so the memberof overlay fills `memberOf` as it would in
 * production. Needs the Debian packages `slapd`, `ldap-utils` and `openssl`.
 *
 * Fixture directory (every user's password is FIXTURE_PASSWORD unless said):
 * - ou=people: the FIXTURE_USERS; `locked` is locked by the password policy (pwdAccountLockedTime).
 * - ou=groups: groupOfNames groups (memberOf filled) and one groupOfUniqueNames (memberOf NOT filled).
 * - ou=services: a read-only service account that can read people and groups but never userPassword.
 * ACLs: anonymous clients can bind but read nothing; a bound user reads its own entry and the groups, like
 * an AD user would, so "bind as the user, then read memberOf / search groups" flows work without the service.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, rmSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { createServer, type AddressInfo, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { Client } from 'ldapts'

export interface Slapd {
  /** ldap://127.0.0.1:PORT (plain, StartTLS available) */
  url: string
  /** ldaps://127.0.0.1:PORT2 */
  ldapsUrl: string
  baseDN: string
  adminDN: string
  adminPassword: string
  /** Read-only service account for searches: reads people and groups, never userPassword. */
  serviceDN: string
  servicePassword: string
  /** PEM file of the test CA that signed the server certificate (SAN IP:127.0.0.1, DNS:localhost). */
  caFile: string
  /** PEM file of an unrelated CA, to test "certificate not trusted". */
  otherCaFile: string
  /** Runs ldapmodify as the admin (rootdn, so ACLs do not apply) with this LDIF. */
  modify(ldif: string): Promise<void>
  /** Kills slapd and removes its temp dir. Idempotent. */
  stop(): Promise<void>
}

// ---------------------------------------------------------------------------------------------------------
// Fixture directory
// ---------------------------------------------------------------------------------------------------------

export const BASE_DN = 'dc=grc,dc=test'
export const PEOPLE_DN = `ou=people,${BASE_DN}`
export const GROUPS_DN = `ou=groups,${BASE_DN}`
export const ADMIN_DN = `cn=admin,${BASE_DN}`
export const ADMIN_PASSWORD = 'Admin-789'
export const SERVICE_DN = `cn=grc-service,ou=services,${BASE_DN}`
export const SERVICE_PASSWORD = 'Service-456'
export const FIXTURE_PASSWORD = 'Secret-123'
const POLICY_DN = `cn=default,ou=policies,${BASE_DN}`

export interface FixtureUser {
  uid: string
  dn: string
  cn: string
  givenName: string
  sn: string
  mail?: string
  sAMAccountName?: string
  userPrincipalName?: string
  /** Locked by the password policy: a bind with the right password fails (invalid credentials). */
  locked?: boolean
}

type UserExtras = Pick<FixtureUser, 'mail' | 'sAMAccountName' | 'userPrincipalName' | 'locked'>

function person(uid: string, cn: string, extras: UserExtras = {}): FixtureUser {
  const space = cn.indexOf(' ')
  return {
    uid,
    dn: `uid=${escapeDNValue(uid)},${PEOPLE_DN}`,
    cn,
    givenName: cn.slice(0, space),
    sn: cn.slice(space + 1),
    ...extras,
  }
}

export const FIXTURE_USERS = {
  zoe: person('zoe.agent', 'Zoé Marchal', {
    mail: 'zoe.marchal@grc.test',
    sAMAccountName: 'zmarchal',
    userPrincipalName: 'zoe.marchal@grc.test',
  }),
  luc: person('luc.lead', 'Luc Henrion', { mail: 'luc.henrion@grc.test' }),
  tom: person('tom.tech', 'Tom Lallemand'),
  nora: person('nora.agent', 'Nora Benali'),
  sara: person('sara.sup', 'Sara Lefèvre'),
  nogroup: person('nogroup', 'Sans Groupe'),
  locked: person('locked', 'Compte Verrouillé', { locked: true }),
  /** Special characters in the cn (comma, quote, parentheses, star, diacritics): filters must escape them. */
  obrien: person('o.brien', "Aïssa O'Brien, (Voirie)*"),
} as const satisfies Record<string, FixtureUser>

export interface FixtureGroup {
  cn: string
  dn: string
  /** groupOfNames uses `member` and fills the members' `memberOf`; groupOfUniqueNames uses `uniqueMember` only. */
  objectClass: 'groupOfNames' | 'groupOfUniqueNames'
  members: readonly FixtureUser[]
}

function group(
  cn: string,
  members: FixtureUser[],
  objectClass: FixtureGroup['objectClass'] = 'groupOfNames',
) {
  return { cn, dn: `cn=${escapeDNValue(cn)},${GROUPS_DN}`, objectClass, members }
}

const { zoe, luc, tom, nora, sara, obrien } = FIXTURE_USERS
export const FIXTURE_GROUPS = {
  agents: group('grc-agents', [zoe, nora, obrien]),
  leads: group('grc-leads', [luc]),
  technicians: group('grc-technicians', [tom]),
  supervisors: group('grc-supervisors', [sara]),
  teamVoirie: group('team-voirie', [zoe, luc, tom, obrien]),
  /** The RDN holds a comma: its DN is `cn=Voirie\, Nord,…`, and slapd writes it `cn=Voirie\2C Nord,…` in memberOf. */
  voirieNord: group('Voirie, Nord', [zoe, luc]),
  teamEclairage: group('team-eclairage', [nora]),
  teamProprete: group('team-proprete', [tom], 'groupOfUniqueNames'),
} as const satisfies Record<string, FixtureGroup>

/** DNs the server lists in the user's memberOf (groupOfNames only), as written in FIXTURE_GROUPS. */
export function expectedMemberOf(user: FixtureUser): string[] {
  return Object.values(FIXTURE_GROUPS)
    .filter((g) => g.objectClass === 'groupOfNames' && g.members.some((m) => m.dn === user.dn))
    .map((g) => g.dn)
}

// ---------------------------------------------------------------------------------------------------------
// DN helpers: slapd hex-escapes in the values it writes (`\2C`), so compare DNs canonically, not as strings.
// ---------------------------------------------------------------------------------------------------------

/** Escapes an attribute value for use in a DN (RFC 4514). */
export function escapeDNValue(value: string): string {
  return value
    .replace(/[\\,+"<>;=]/g, '\\$&')
    .replace(/^[ #]/, '\\$&')
    .replace(/ $/, '\\ ')
}

/** A canonical form for comparing DNs: lower-cased, escapes normalised, no spaces around separators. */
export function canonicalDN(dn: string): string {
  const rdns: string[] = []
  let type = ''
  let bytes: number[] = []
  let inValue = false
  const flush = () => {
    const value = Buffer.from(bytes).toString('utf8').trim()
    rdns.push(`${type.trim().toLowerCase()}=${escapeDNValue(value.toLowerCase())}`)
    type = ''
    bytes = []
    inValue = false
  }
  for (let i = 0; i < dn.length; i++) {
    const c = dn[i] as string
    if (!inValue) {
      if (c === '=') inValue = true
      else type += c
    } else if (c === '\\') {
      const hex = dn.slice(i + 1, i + 3)
      if (/^[0-9a-fA-F]{2}$/.test(hex)) {
        bytes.push(parseInt(hex, 16))
        i += 2
      } else {
        bytes.push(...Buffer.from(dn[i + 1] ?? ''))
        i += 1
      }
    } else if (c === ',' || c === ';') flush()
    else bytes.push(...Buffer.from(c))
  }
  if (type || inValue) flush()
  return rdns.join(',')
}

// ---------------------------------------------------------------------------------------------------------
// LDIF
// ---------------------------------------------------------------------------------------------------------

type Attributes = Record<string, string | readonly string[] | undefined>

function ldifLine(name: string, value: string): string {
  // Non-ASCII or edge characters go base64 (`name:: …`), the only portable LDIF form for them.
  const safe = /^[\x21-\x39\x3b\x3d-\x7e][\x20-\x7e]*$/.test(value) && !value.endsWith(' ')
  return safe ? `${name}: ${value}` : `${name}:: ${Buffer.from(value, 'utf8').toString('base64')}`
}

function ldifEntry(dn: string, attributes: Attributes): string {
  const lines = [ldifLine('dn', dn)]
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined) continue
    for (const v of typeof value === 'string' ? [value] : value) lines.push(ldifLine(name, v))
  }
  return lines.join('\n')
}

function userEntry(user: FixtureUser): string {
  const adLike = user.sAMAccountName !== undefined || user.userPrincipalName !== undefined
  return ldifEntry(user.dn, {
    objectClass: adLike ? ['inetOrgPerson', 'grcAdCompat'] : 'inetOrgPerson',
    uid: user.uid,
    cn: user.cn,
    givenName: user.givenName,
    sn: user.sn,
    mail: user.mail,
    sAMAccountName: user.sAMAccountName,
    userPrincipalName: user.userPrincipalName,
    userPassword: FIXTURE_PASSWORD,
    // The "permanently locked" value: ppolicy refuses the bind whatever the lockout duration.
    pwdAccountLockedTime: user.locked ? '000001010000Z' : undefined,
  })
}

function groupEntry(g: FixtureGroup): string {
  const memberAttribute = g.objectClass === 'groupOfNames' ? 'member' : 'uniqueMember'
  return ldifEntry(g.dn, {
    objectClass: g.objectClass,
    cn: g.cn,
    [memberAttribute]: g.members.map((m) => m.dn),
  })
}

function directoryLdif(): string {
  const ou = (name: string) =>
    ldifEntry(`ou=${name},${BASE_DN}`, { objectClass: 'organizationalUnit', ou: name })
  return [
    ldifEntry(BASE_DN, { objectClass: ['dcObject', 'organization'], dc: 'grc', o: 'GRC Test' }),
    ou('policies'),
    ou('people'),
    ou('groups'),
    ou('services'),
    ldifEntry(POLICY_DN, {
      objectClass: ['applicationProcess', 'pwdPolicy'],
      cn: 'default',
      pwdAttribute: 'userPassword',
      // No pwdMaxFailure: wrong-password tests never lock anyone; only pwdAccountLockedTime does.
      pwdLockout: 'TRUE',
    }),
    ldifEntry(SERVICE_DN, {
      objectClass: ['applicationProcess', 'simpleSecurityObject'],
      cn: 'grc-service',
      description: 'GRC Console read-only search account',
      userPassword: SERVICE_PASSWORD,
    }),
    // Users before groups, so the memberof overlay can fill memberOf when each group is added.
    ...Object.values(FIXTURE_USERS).map(userEntry),
    ...Object.values(FIXTURE_GROUPS).map(groupEntry),
  ].join('\n\n')
}

const SCHEMAS = ['core', 'cosine', 'inetorgperson', 'nis'].map((name) => `/etc/ldap/schema/${name}.ldif`)
const AD_COMPAT_SCHEMA = fileURLToPath(new URL('./ldap/grc-ad-compat.ldif', import.meta.url))

interface ConfigPaths {
  dir: string
  dataDir: string
  caFile: string
  certFile: string
  keyFile: string
}

async function configLdif(paths: ConfigPaths): Promise<string> {
  const schemas = await Promise.all([...SCHEMAS, AD_COMPAT_SCHEMA].map((file) => readFile(file, 'utf8')))
  const service = `dn.exact="${SERVICE_DN}"`
  return [
    `dn: cn=config
objectClass: olcGlobal
cn: config
olcPidFile: ${paths.dir}/slapd.pid
olcTLSCertificateFile: ${paths.certFile}
olcTLSCertificateKeyFile: ${paths.keyFile}
olcTLSCACertificateFile: ${paths.caFile}`,
    `dn: cn=module{0},cn=config
objectClass: olcModuleList
cn: module{0}
olcModulePath: /usr/lib/ldap
olcModuleLoad: back_mdb
olcModuleLoad: memberof
olcModuleLoad: refint
olcModuleLoad: ppolicy`,
    `dn: cn=schema,cn=config
objectClass: olcSchemaConfig
cn: schema`,
    ...schemas.map((s) => s.trim()),
    `dn: olcDatabase={-1}frontend,cn=config
objectClass: olcDatabaseConfig
objectClass: olcFrontendConfig
olcDatabase: {-1}frontend
olcAccess: {0}to dn.base="" by * read
olcAccess: {1}to dn.base="cn=Subschema" by * read`,
    `dn: olcDatabase={0}config,cn=config
objectClass: olcDatabaseConfig
olcDatabase: {0}config
olcAccess: {0}to * by * none`,
    `dn: olcDatabase={1}mdb,cn=config
objectClass: olcDatabaseConfig
objectClass: olcMdbConfig
olcDatabase: {1}mdb
olcDbDirectory: ${paths.dataDir}
olcSuffix: ${BASE_DN}
olcRootDN: ${ADMIN_DN}
olcRootPW: ${ADMIN_PASSWORD}
olcDbIndex: objectClass eq
olcDbIndex: uid,mail,cn eq
olcDbIndex: member,uniqueMember eq
olcDbIndex: sAMAccountName,userPrincipalName eq
olcAccess: {0}to attrs=userPassword by self =xw by anonymous auth by * none
olcAccess: {1}to dn.base="${BASE_DN}" by users read by * none
olcAccess: {2}to dn.base="${PEOPLE_DN}" by users read by * none
olcAccess: {3}to dn.subtree="${PEOPLE_DN}" by ${service} read by self read by * none
olcAccess: {4}to dn.subtree="${GROUPS_DN}" by users read by * none
olcAccess: {5}to * by self read by * none`,
    `dn: olcOverlay={0}memberof,olcDatabase={1}mdb,cn=config
objectClass: olcOverlayConfig
objectClass: olcMemberOf
olcOverlay: {0}memberof
olcMemberOfGroupOC: groupOfNames
olcMemberOfMemberAD: member
olcMemberOfMemberOfAD: memberOf
olcMemberOfRefInt: TRUE
olcMemberOfDangling: ignore`,
    `dn: olcOverlay={1}refint,olcDatabase={1}mdb,cn=config
objectClass: olcOverlayConfig
objectClass: olcRefintConfig
olcOverlay: {1}refint
olcRefintAttribute: member
olcRefintAttribute: uniqueMember`,
    `dn: olcOverlay={2}ppolicy,olcDatabase={1}mdb,cn=config
objectClass: olcOverlayConfig
objectClass: olcPPolicyConfig
olcOverlay: {2}ppolicy
olcPPolicyDefault: ${POLICY_DN}
olcPPolicyHashCleartext: TRUE`,
  ].join('\n\n')
}

// ---------------------------------------------------------------------------------------------------------
// Processes
// ---------------------------------------------------------------------------------------------------------

/** slapd/slapadd live in /usr/sbin, which is not on a non-root user's PATH on Debian. */
function sbin(name: string): string {
  return ['/usr/sbin', '/usr/local/sbin'].map((d) => join(d, name)).find((p) => existsSync(p)) ?? name
}

// LDAPNOINIT: the ldap-utils must not pick up the machine's ldap.conf (TLS_CACERT, BASE, URI…).
const toolEnv = { ...process.env, LDAPNOINIT: '1' }

function run(
  command: string,
  args: string[],
  options: { cwd?: string; input?: string } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: toolEnv })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.stdin.on('error', () => {}) // the tool may exit before reading all its input; `close` reports it
    child.on('error', (err) =>
      reject(new Error(`${command} could not start (${err.message}); is it installed?`)),
    )
    child.on('close', (code) => {
      if (code === 0) resolve(stdout)
      else reject(new Error(`${command} ${args[0] ?? ''} failed (exit ${code}):\n${stderr.trim()}`))
    })
    child.stdin.end(options.input ?? '')
  })
}

async function makeCertificates(dir: string, subjectAltNames: readonly string[]) {
  const openssl = (...args: string[]) => run('openssl', args, { cwd: dir })
  // EC keys: generated in milliseconds, where RSA would dominate the start time.
  const newKey = (file: string) =>
    openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', file)
  const selfSignedCa = async (name: string, cn: string) => {
    await newKey(`${name}.key`)
    await openssl(
      ...[
        'req',
        '-x509',
        '-new',
        '-key',
        `${name}.key`,
        '-subj',
        `/CN=${cn}`,
        '-days',
        '2',
        '-out',
        `${name}.pem`,
      ],
      ...['-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'],
    )
  }
  await Promise.all([
    selfSignedCa('ca', 'GRC Test CA'),
    selfSignedCa('other-ca', 'Unrelated Test CA'),
    newKey('server.key'),
    writeFile(
      join(dir, 'server-ext.cnf'),
      [
        'basicConstraints=CA:FALSE',
        'keyUsage=critical,digitalSignature,keyEncipherment',
        'extendedKeyUsage=serverAuth',
        `subjectAltName=${subjectAltNames.join(',')}`,
      ].join('\n') + '\n',
    ),
  ])
  await openssl('req', '-new', '-key', 'server.key', '-subj', '/CN=GRC test directory', '-out', 'server.csr')
  await openssl(
    ...['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-days', '2'],
    ...[
      '-set_serial',
      `0x${randomBytes(8).toString('hex')}`,
      '-extfile',
      'server-ext.cnf',
      '-out',
      'server.pem',
    ],
  )
  return {
    caFile: join(dir, 'ca.pem'),
    otherCaFile: join(dir, 'other-ca.pem'),
    certFile: join(dir, 'server.pem'),
    keyFile: join(dir, 'server.key'),
  }
}

async function freePorts(count: number): Promise<number[]> {
  // All listening at once, so the kernel hands out distinct ports.
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<Server>((resolve, reject) => {
          const server = createServer()
          server.once('error', reject)
          server.listen(0, '127.0.0.1', () => resolve(server))
        }),
    ),
  )
  const ports = servers.map((s) => (s.address() as AddressInfo).port)
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))))
  return ports
}

// A crashed test run must not leave slapd daemons (and temp dirs) behind.
const running = new Map<ChildProcess, string>()
let exitHookInstalled = false
function track(child: ChildProcess, dir: string) {
  running.set(child, dir)
  if (exitHookInstalled) return
  exitHookInstalled = true
  process.once('exit', () => {
    for (const [proc, tmp] of running) {
      proc.kill('SIGKILL')
      rmSync(tmp, { recursive: true, force: true })
    }
  })
}

const START_TIMEOUT_MS = 10_000

function appArmorHint(stderr: string): string {
  const confined =
    existsSync('/etc/apparmor.d/usr.sbin.slapd') && !existsSync('/etc/apparmor.d/disable/usr.sbin.slapd')
  return confined && /denied|permission|could not stat|invalid config/i.test(stderr)
    ? '\n(Ubuntu confines slapd with AppArmor to /etc/ldap and /var/lib/ldap: `sudo aa-complain /usr/sbin/slapd`' +
        ' or disable the usr.sbin.slapd profile on the CI machine.)'
    : ''
}

/** Spawns slapd and resolves once it says "slapd starting" (-d none keeps errors on stderr). */
function spawnSlapd(confDir: string, ports: number[]): Promise<ChildProcess> {
  const [plain, secure] = ports
  const child = spawn(
    sbin('slapd'),
    ['-h', `ldap://127.0.0.1:${plain}/ ldaps://127.0.0.1:${secure}/`, '-F', confDir, '-d', 'none'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  )
  let stderr = ''
  return new Promise((resolve, reject) => {
    const fail = (reason: string) => {
      clearTimeout(timer)
      child.kill('SIGKILL')
      reject(new Error(`slapd did not start: ${reason}\n${stderr.trim()}${appArmorHint(stderr)}`))
    }
    const onError = (err: Error) => fail(err.message)
    const onExit = (code: number | null, signal: string | null) => fail(`exited (${signal ?? code})`)
    const timer = setTimeout(() => fail(`no "slapd starting" after ${START_TIMEOUT_MS} ms`), START_TIMEOUT_MS)
    // Keeps draining stderr after the start too, so a chatty slapd never blocks on a full pipe.
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-20_000)
      if (stderr.includes('slapd starting')) {
        clearTimeout(timer)
        child.off('error', onError).off('exit', onExit)
        resolve(child)
      }
    })
    child.once('error', onError)
    child.once('exit', onExit)
  })
}

async function waitUntilAnswering(url: string) {
  const deadline = Date.now() + START_TIMEOUT_MS
  for (;;) {
    const client = new Client({ url, connectTimeout: 1000, timeout: 1000 })
    try {
      await client.bind(ADMIN_DN, ADMIN_PASSWORD)
      return
    } catch (err) {
      if (Date.now() > deadline) {
        throw new Error(`slapd at ${url} does not answer: ${(err as Error).message}`, { cause: err })
      }
      await new Promise((resolve) => setTimeout(resolve, 50))
    } finally {
      await client.unbind().catch(() => {})
    }
  }
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 5000)
    child.once('exit', () => {
      clearTimeout(force)
      resolve()
    })
    child.kill('SIGTERM')
  })
}

export interface SlapdOptions {
  /**
   * SAN of the server certificate. Default ['IP:127.0.0.1', 'DNS:localhost']. Pass ['IP:127.0.0.1'] to catch
   * a StartTLS that verifies the wrong name: ldapts' startTLS() does not pass the host to tls.connect, so
   * Node checks the certificate against "localhost" unless the caller gives `host`/`servername`.
   */
  subjectAltNames?: readonly string[]
}

export async function startSlapd(options: SlapdOptions = {}): Promise<Slapd> {
  const dir = await mkdtemp(join(tmpdir(), 'grc-slapd-'))
  try {
    const confDir = join(dir, 'slapd.d')
    const dataDir = join(dir, 'data')
    await Promise.all([mkdir(confDir), mkdir(dataDir)])
    const certs = await makeCertificates(dir, options.subjectAltNames ?? ['IP:127.0.0.1', 'DNS:localhost'])
    const configFile = join(dir, 'config.ldif')
    await writeFile(configFile, await configLdif({ dir, dataDir, ...certs }))
    await run(sbin('slapadd'), ['-n0', '-F', confDir, '-l', configFile])

    // The free ports are only "probably free" until slapd binds them: retry on the rare collision.
    let started: { child: ChildProcess; ports: number[] } | undefined
    for (let attempt = 1; !started; attempt++) {
      const ports = await freePorts(2)
      try {
        started = { child: await spawnSlapd(confDir, ports), ports }
      } catch (err) {
        if (attempt >= 3 || !/errno=98|Address already in use/.test((err as Error).message)) throw err
      }
    }
    const { child, ports } = started
    track(child, dir)
    const url = `ldap://127.0.0.1:${ports[0]}`
    const admin = ['-x', '-H', url, '-D', ADMIN_DN, '-w', ADMIN_PASSWORD]

    let stopped: Promise<void> | undefined
    const stop = () =>
      (stopped ??= (async () => {
        await stopProcess(child)
        running.delete(child)
        await rm(dir, { recursive: true, force: true })
      })())

    try {
      await waitUntilAnswering(url)
      await run('ldapadd', admin, { input: directoryLdif() })
    } catch (err) {
      await stop()
      throw err
    }

    return {
      url,
      ldapsUrl: `ldaps://127.0.0.1:${ports[1]}`,
      baseDN: BASE_DN,
      adminDN: ADMIN_DN,
      adminPassword: ADMIN_PASSWORD,
      serviceDN: SERVICE_DN,
      servicePassword: SERVICE_PASSWORD,
      caFile: certs.caFile,
      otherCaFile: certs.otherCaFile,
      async modify(ldif: string) {
        await run('ldapmodify', admin, { input: ldif })
      },
      stop,
    }
  } catch (err) {
    await rm(dir, { recursive: true, force: true })
    throw err
  }
}
