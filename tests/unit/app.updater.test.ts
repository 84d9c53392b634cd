import { describe, expect, it } from 'vitest'
import { electronUpdateDriver } from '../../src/main/app/updater'

/** electron-updater's updater as the driver uses it: what it was told, what it did. */
function fakeUpdater(offered: { version: string; available: boolean }) {
  const did: string[] = []
  const updater = {
    autoDownload: true,
    autoInstallOnAppQuit: true,
    allowPrerelease: false,
    allowDowngrade: true,
    feed: null as unknown,
    setFeedURL(options: unknown) {
      this.feed = options
    },
    async checkForUpdates() {
      did.push('check')
      return { isUpdateAvailable: offered.available, updateInfo: { version: offered.version } }
    },
    async downloadUpdate() {
      did.push('download')
      return []
    },
    quitAndInstall(silent?: boolean, runAfter?: boolean) {
      did.push(`install silent=${silent} runAfter=${runAfter}`)
    },
  }
  return { updater, did }
}

describe('the app’s update driver (electron-updater)', () => {
  it('uses the authority’s server on the configured channel and never acts on its own', async () => {
    const { updater, did } = fakeUpdater({ version: '1.5.0-beta.2', available: true })
    const driver = electronUpdateDriver(updater as never, {
      url: 'https://maj.ville.fr/grc',
      channel: 'test',
      enabled: true,
      checkIntervalHours: 4,
    })
    expect(updater.feed).toEqual({ provider: 'generic', url: 'https://maj.ville.fr/grc', channel: 'beta' })
    expect(updater).toMatchObject({
      autoDownload: false,
      autoInstallOnAppQuit: false,
      allowPrerelease: true,
      allowDowngrade: false,
    })
    await driver.download('1.5.0-beta.2')
    driver.install()
    expect(did).toEqual(['check', 'download', 'install silent=false runAfter=true'])
  })

  it('refuses to download another version than the one the console decided on', async () => {
    const { updater, did } = fakeUpdater({ version: '1.6.0', available: true })
    const driver = electronUpdateDriver(updater as never, {
      url: 'https://maj.ville.fr/grc',
      channel: 'stable',
      enabled: true,
      checkIntervalHours: 4,
    })
    await expect(driver.download('1.5.0')).rejects.toThrow(/1\.5\.0 n’est plus proposée/)
    expect(did).toEqual(['check'])
  })
})
