/**
 * The update server's feed: the `latest.yml` files electron-builder writes beside the
 * installers (generic provider). The console reads the version offered itself, so the
 * decision is the same in the app and in tests; electron-updater then downloads the file
 * and checks its sha512 (and, on Windows, the installer's signature).
 */
import { load } from 'js-yaml'
import { valid } from 'semver'
import { z } from 'zod'

export type UpdateChannel = 'stable' | 'test'

/** electron-updater's channel names: `latest` for stable, `beta` for the pilot workstations. */
export const updaterChannel = (channel: UpdateChannel) => (channel === 'test' ? 'beta' : 'latest')

/** The file of a channel on a platform, as electron-builder names it. */
export function feedFileName(platform: NodeJS.Platform, channel: UpdateChannel): string {
  const base = updaterChannel(channel)
  if (platform === 'darwin') return `${base}-mac.yml`
  if (platform === 'linux') return `${base}-linux.yml`
  return `${base}.yml`
}

const Sha512 = z.string().regex(/^[A-Za-z0-9+/]{86}==$/, 'a base64 sha512')

const UpdateFeed = z.object({
  version: z.string().refine((v) => valid(v) !== null, 'a semantic version (1.2.3)'),
  files: z
    .array(
      z.object({
        // A file beside the feed: an update is never fetched from another server.
        url: z
          .string()
          .min(1)
          .refine(
            (u) => !/^[a-z][a-z0-9+.-]*:|^\/\//i.test(u) && !u.includes('..'),
            'a file name beside the feed',
          ),
        sha512: Sha512,
        size: z.number().int().positive().optional(),
      }),
    )
    .min(1),
  releaseDate: z.string().optional(),
})
export type UpdateFeed = z.infer<typeof UpdateFeed>

/** The feed's text, checked; a clear French sentence when it is not a feed. */
export function parseUpdateFeed(text: string): UpdateFeed {
  let raw: unknown
  try {
    // The JSON-compatible schema: no custom tags, no dates turned into objects.
    raw = load(text, { json: true })
  } catch {
    throw new Error('le fichier de mise à jour n’est pas du YAML lisible')
  }
  const parsed = UpdateFeed.safeParse(raw)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    throw new Error(
      `le fichier de mise à jour est invalide (${issue.path.join('.') || 'racine'} : ${issue.message})`,
    )
  }
  return parsed.data
}

export interface FeedSource {
  /** The update server's folder (configuration `update.url`). */
  url: string
  channel: UpdateChannel
  platform: NodeJS.Platform
  fetch: typeof fetch
  timeoutMs: number
}

/** The feed as the server has it now; throws a French sentence when it cannot be read. */
export async function fetchUpdateFeed(source: FeedSource): Promise<UpdateFeed> {
  const url = `${source.url}/${feedFileName(source.platform, source.channel)}`
  let response: Response
  try {
    response = await source.fetch(url, {
      signal: AbortSignal.timeout(source.timeoutMs),
      // A proxy's cached copy would hide a release for hours.
      headers: { accept: 'text/yaml, application/x-yaml, text/plain', 'cache-control': 'no-cache' },
    })
  } catch {
    throw new Error('le serveur de mises à jour ne répond pas')
  }
  if (!response.ok) throw new Error(`le serveur de mises à jour répond ${response.status}`)
  const length = Number(response.headers.get('content-length') ?? 0)
  // A feed is a few hundred bytes; anything large is not one.
  if (length > 64 * 1024) throw new Error('le fichier de mise à jour est trop grand')
  const text = await response.text()
  if (text.length > 64 * 1024) throw new Error('le fichier de mise à jour est trop grand')
  return parseUpdateFeed(text)
}
