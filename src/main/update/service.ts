/**
 * The console's updates: looks at the authority's update server at start and every few
 * hours, has the app download a newer version, and restarts into it only once the outbox
 * is empty. The download and the install are the app's (electron-updater, behind
 * `UpdateDriver`); without a driver (a browser session, tests) the console only reports.
 */
import type { AppConfig } from '../../core/config'
import type { UpdateStatus } from '../../shared/channels/update'
import { CoreError } from '../../shared/result'
import { decideUpdate, restartRefusal } from './decision'
import { fetchUpdateFeed } from './feed'

/** What the desktop app does with electron-updater (src/main/app/updater.ts). */
export interface UpdateDriver {
  /** Download `version` from the feed and check it; resolves once it can be installed. */
  download(version: string): Promise<void>
  /** Quit and install the downloaded version. */
  install(): void
}

export interface UpdateServiceOptions {
  config: AppConfig['update']
  currentVersion: string
  platform: NodeJS.Platform
  fetch: typeof fetch
  /** Changes in the outbox now. */
  pendingChanges: () => number
  /** A sync round now (pushes the outbox); resolves when it is over. */
  pushNow: () => Promise<unknown>
  driver?: UpdateDriver | null
  now: () => number
  onChange: (status: UpdateStatus) => void
  logError?: (where: string, error: unknown) => void
}

export type UpdateService = ReturnType<typeof createUpdateService>

const FEED_TIMEOUT_MS = 15_000

export function createUpdateService(options: UpdateServiceOptions) {
  const { config } = options
  let state: UpdateStatus['state'] = config.enabled
    ? config.url
      ? 'up_to_date'
      : 'unconfigured'
    : 'disabled'
  let version: string | null = null
  let checkedAt: string | null = null
  let error: string | null = null
  let looking: Promise<UpdateStatus> | null = null
  let timer: ReturnType<typeof setInterval> | null = null

  const status = (): UpdateStatus => ({
    state,
    currentVersion: options.currentVersion,
    channel: config.channel,
    version,
    checkedAt,
    error,
    pendingChanges: options.pendingChanges(),
    canInstall: Boolean(options.driver),
  })
  const changed = () => options.onChange(status())

  async function look(): Promise<UpdateStatus> {
    const before = decideUpdate({ ...config, currentVersion: options.currentVersion, offered: null })
    if (before.kind === 'disabled' || before.kind === 'unconfigured') return status()
    // Downloaded already: nothing to look for until the restart.
    if (state === 'ready') return status()
    state = 'checking'
    changed()
    try {
      const feed = await fetchUpdateFeed({
        url: config.url!,
        channel: config.channel,
        platform: options.platform,
        fetch: options.fetch,
        timeoutMs: FEED_TIMEOUT_MS,
      })
      checkedAt = new Date(options.now()).toISOString()
      error = null
      const decision = decideUpdate({
        ...config,
        currentVersion: options.currentVersion,
        offered: feed.version,
      })
      if (decision.kind !== 'available') {
        state = 'up_to_date'
        version = null
      } else {
        state = 'available'
        version = decision.version
        changed()
        if (options.driver) {
          await options.driver.download(decision.version)
          state = 'ready'
        }
      }
    } catch (e) {
      state = 'error'
      checkedAt = new Date(options.now()).toISOString()
      error = e instanceof Error ? e.message : String(e)
      options.logError?.('update', e)
    }
    changed()
    return status()
  }

  return {
    status,
    /** Look now (one look at a time: a second call waits for the first). */
    check(): Promise<UpdateStatus> {
      looking ??= look().finally(() => (looking = null))
      return looking
    },
    /** Push the outbox, then install; refused while changes still wait (offline, conflicts). */
    async restart(): Promise<UpdateStatus> {
      if (state !== 'ready' || !options.driver)
        throw new CoreError('not_found', 'Aucune mise à jour n’est prête à être installée.')
      if (options.pendingChanges() > 0) await options.pushNow()
      const refusal = restartRefusal(options.pendingChanges())
      if (refusal)
        throw new CoreError('changes_pending', refusal, { pendingChanges: options.pendingChanges() })
      options.driver.install()
      return status()
    },
    /** Look at start, then every `checkIntervalHours`. */
    start() {
      if (!config.enabled || !config.url || timer) return
      void this.check()
      timer = setInterval(() => void this.check(), config.checkIntervalHours * 3600_000)
      timer.unref?.()
    },
    stop() {
      if (timer) clearInterval(timer)
      timer = null
    },
  }
}
