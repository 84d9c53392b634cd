/**
 * Attachments on the server (issue 14): the routes, the service behind them, the blob store
 * on disk, the sweep of unused blobs, and the fetch of an Open311 `media_url`. Registered by
 * app.ts with one call; Open311 intake gets `attachMedia` from it.
 */
import { randomUUID } from 'node:crypto'
import type { FastifyInstance, preHandlerHookHandler } from 'fastify'
import type { ServerStore } from '../store/types'
import { diskBlobStore, type BlobStore } from './blobStore'
import { fetchMedia, loggableUrl, MediaFetchError, type MediaFetchFailure } from './mediaFetch'
import { UnsupportedFile } from './images'
import { registerAttachmentRoutes } from './routes'
import { createAttachmentService, type AttachmentService } from './service'
import type { AttachmentSettings } from './settings'

/** The last segment of the URL's path as a file name (`photo` when there is none). */
function fileNameOf(url: string): string {
  const last = new URL(url).pathname.split('/').pop() ?? ''
  try {
    return decodeURIComponent(last) || 'photo'
  } catch {
    return last || 'photo'
  }
}

export interface Attachments {
  service: AttachmentService
  /**
   * Fetch a citizen's photo and attach it to their new request, in the background: the
   * citizen's request never waits for it nor fails because of it. Resolves when done
   * (attached or given up, the reason in the server's log); never rejects.
   */
  attachMedia(requestId: string, url: string): Promise<MediaOutcome>
}

/** How a `media_url` ended: attached, or why not (as in the server's log). */
export interface MediaOutcome {
  requestId: string
  outcome: 'attached' | MediaFetchFailure | 'unsupported_type' | 'internal'
  attachmentId: string | null
}

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * Wait for the `media_url` fetches started since the last call and tell how each ended
     * (a graceful stop, and the tests, which cannot read the log).
     */
    drainMediaFetches(): Promise<MediaOutcome[]>
  }
}

export function registerAttachments(
  app: FastifyInstance,
  deps: {
    store: ServerStore
    authenticate: preHandlerHookHandler
    now: () => number
    settings: AttachmentSettings
    blobs?: BlobStore
  },
): Attachments {
  const service = createAttachmentService({
    store: deps.store,
    blobs: deps.blobs ?? diskBlobStore(deps.settings.dir),
    settings: deps.settings,
    now: deps.now,
  })
  registerAttachmentRoutes(app, { attachments: service, authenticate: deps.authenticate })

  // Erasure and retention queue the blobs they freed; they are deleted once the feed says
  // a transaction committed (on any instance), and at start for what a stop left behind.
  let sweeping: Promise<void> | null = null
  let again = false
  const sweep = () => {
    if (sweeping) {
      again = true
      return
    }
    sweeping = (async () => {
      do {
        again = false
        try {
          await service.sweep()
        } catch (e) {
          app.log.warn(
            { err: { name: (e as Error).name, code: (e as NodeJS.ErrnoException).code } },
            'attachment sweep failed',
          )
        }
      } while (again)
    })().finally(() => {
      sweeping = null
    })
  }
  const unsubscribe = deps.store.onChange(sweep)
  app.addHook('onReady', async () => sweep())
  app.addHook('onClose', async () => {
    unsubscribe()
    await sweeping
  })

  /** Fetches not yet drained (drainMediaFetches): few, each bounded by its timeout. */
  let started: Array<Promise<MediaOutcome>> = []
  app.addHook('onClose', async () => {
    await Promise.allSettled(started)
  })

  async function attach(requestId: string, url: string): Promise<MediaOutcome> {
    const { maxBytes, mediaFetch } = deps.settings
    try {
      const bytes = await fetchMedia(url, { maxBytes, ...mediaFetch })
      const meta = await service.addFromSource({
        requestId,
        id: randomUUID(),
        name: fileNameOf(url),
        bytes,
        source: 'citizen',
      })
      return { requestId, outcome: 'attached', attachmentId: meta.id }
    } catch (e) {
      const reason =
        e instanceof MediaFetchError
          ? e.reason
          : e instanceof UnsupportedFile
            ? 'unsupported_type'
            : 'internal'
      // Never the query (a token, a name…) nor the error's text for an unexpected failure.
      app.log.warn(
        {
          reason,
          detail: e instanceof MediaFetchError ? e.message : undefined,
          requestId,
          url: loggableUrl(url),
        },
        'media_url not attached',
      )
      try {
        await service.noteRefusedFromSource(requestId, reason)
      } catch (noted) {
        app.log.warn({ err: { name: (noted as Error).name }, requestId }, 'media_url refusal not noted')
      }
      return { requestId, outcome: reason, attachmentId: null }
    }
  }

  app.decorate('drainMediaFetches', async () => {
    const mine = started
    started = []
    return Promise.all(mine)
  })

  return {
    service,
    attachMedia(requestId, url) {
      const done = attach(requestId, url)
      started.push(done)
      return done
    },
  }
}
