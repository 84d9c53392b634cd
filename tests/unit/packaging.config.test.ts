/**
 * The installers IT deploys, read through electron-builder's own loader (the configuration
 * it would build with): Electron fuses, per-machine installers, Linux packages with their
 * dependencies and a post-install that starts nothing, icons, and no demo accounts outside
 * a demo build. The installers themselves are built on each OS (docs/deployment.md).
 */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { DebugLogger } from 'builder-util'
import { getConfig, validateConfiguration } from 'app-builder-lib/out/util/config/config'
import { repoRoot } from '../support/core'

const effective = () => getConfig(repoRoot, null, null)

afterEach(() => {
  delete process.env.GRC_DEMO_BUILD
})

describe('the packaging configuration', () => {
  it('is valid for electron-builder', async () => {
    await expect(validateConfiguration(await effective(), new DebugLogger(false))).resolves.toBeUndefined()
  })

  it('flips every Electron fuse an attacker on the workstation could use', async () => {
    expect((await effective()).electronFuses).toEqual({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
    })
  })

  it('installs per machine on Windows, silently with the server address, and the MSI never starts the app', async () => {
    const config = await effective()
    expect(config.nsis).toMatchObject({ oneClick: false, perMachine: true, runAfterFinish: false })
    expect(config.msi).toMatchObject({ perMachine: true, runAfterFinish: false })
    const targets = (config.win as { target: Array<{ target: string }> }).target.map((t) => t.target)
    expect(targets).toEqual(['nsis', 'msi'])
    const include = readFileSync(join(repoRoot, config.nsis!.include as string), 'utf8')
    expect(include).toMatch(/GetOptions\} \$R0 "\/SERVERURL="/)
    expect(include).toContain('"https://"')
    expect(include).toMatch(/\$\{IfNot\} \$\{FileExists\} "\$APPDATA\\GRC Console\\config\.json"/)
  })

  it('makes AppImage, deb and rpm with their dependencies; the post-install makes /etc/grc-console and starts nothing', async () => {
    const config = await effective()
    expect(config.linux!.target).toEqual(['AppImage', 'deb', 'rpm'])
    expect(config.linux).toMatchObject({ maintainer: expect.stringMatching(/<.+@.+>/), category: 'Office' })
    expect(config.linux!.description).toMatch(/relation citoyen/)
    for (const pkg of [config.deb!, config.rpm!]) {
      expect(pkg.depends).toEqual(expect.arrayContaining([expect.stringMatching(/^libsecret/)]))
      expect(pkg.afterInstall).toBe('build/linux-after-install.sh')
    }
    const script = readFileSync(join(repoRoot, 'build', 'linux-after-install.sh'), 'utf8')
    expect(script).toMatch(/install -d -m 0755 \/etc\/grc-console/)
    const commands = script.split('\n').filter((l) => l.trim() && !l.trim().startsWith('#'))
    // The app's binary only appears as the target of a link or a chmod, never run.
    for (const line of commands.filter((l) => l.includes('${executable}')))
      expect(line.trim()).toMatch(/^ln -sf /)
    expect(commands.join('\n')).not.toMatch(/\b(nohup|exec|xdg-open|su -c)\b/)
  })

  it('writes the update feeds (latest*.yml) that the console reads from the authority’s server', async () => {
    const config = await effective()
    // Generic: files on any https server of the authority; never GitHub or a public service.
    expect(config.publish).toMatchObject({ provider: 'generic' })
    expect(JSON.stringify(config.publish)).not.toMatch(/github|s3|spaces|snapStore/i)
  })

  it('has an icon of our own, large enough for every OS', async () => {
    const config = await effective()
    for (const os of [config.win!, config.linux!, config.mac!]) {
      const file = join(repoRoot, os.icon as string)
      expect(existsSync(file)).toBe(true)
      const png = readFileSync(file)
      expect(png.subarray(1, 4).toString()).toBe('PNG')
      // IHDR: width and height, big-endian, at bytes 16 and 20.
      expect(png.readUInt32BE(16)).toBeGreaterThanOrEqual(512)
      expect(png.readUInt32BE(20)).toBeGreaterThanOrEqual(512)
    }
    expect(config.productName).toBe('GRC Console')
    expect(config.appId).toBe('fr.grc.console')
  })

  it('leaves the demo accounts out of the package unless built with GRC_DEMO_BUILD=1', async () => {
    const filters = async () =>
      ((await effective()).extraResources as Array<{ filter: string[] }>).flatMap((r) => r.filter)
    expect(await filters()).toContain('!demo/accounts.json')
    process.env.GRC_DEMO_BUILD = '1'
    expect(await filters()).not.toContain('!demo/accounts.json')
  })
})
