/**
 * The update driver of the desktop app: electron-updater on the authority's own server
 * (generic provider). It downloads through Electron's network stack (the workstation's
 * proxy) and checks the file's sha512 from the feed; on Windows it also checks that the
 * installer is signed by the same publisher as the running app. The decision to look, and
 * to restart only once the outbox is empty, is the core's (update/service.ts).
 */
import type { AppUpdater } from 'electron-updater'
import type { AppConfig } from '../../core/config'
import { updaterChannel } from '../update/feed'
import type { UpdateDriver } from '../update/service'

type Updater = Pick<
  AppUpdater,
  | 'autoDownload'
  | 'autoInstallOnAppQuit'
  | 'allowPrerelease'
  | 'allowDowngrade'
  | 'setFeedURL'
  | 'checkForUpdates'
  | 'downloadUpdate'
  | 'quitAndInstall'
>

export function electronUpdateDriver(
  updater: Updater,
  config: AppConfig['update'] & { url: string },
): UpdateDriver {
  // The core decides when: never on its own, never at quit (changes may still be pending).
  updater.autoDownload = false
  updater.autoInstallOnAppQuit = false
  updater.allowPrerelease = config.channel === 'test'
  updater.allowDowngrade = false
  updater.setFeedURL({ provider: 'generic', url: config.url, channel: updaterChannel(config.channel) })
  return {
    async download(version) {
      const found = await updater.checkForUpdates()
      if (!found?.isUpdateAvailable || found.updateInfo.version !== version)
        throw new Error(`la version ${version} n’est plus proposée par le serveur de mises à jour`)
      await updater.downloadUpdate()
    },
    install() {
      // Not silent: the installer shows its progress; the console starts again after it.
      updater.quitAndInstall(false, true)
    },
  }
}
