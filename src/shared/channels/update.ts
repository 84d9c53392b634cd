/**
 * Updates from the authority's own update server (issue 17): where the console stands, a
 * look now, and the restart that installs a downloaded version once nothing waits to be sent.
 */
import { z } from 'zod'
import { IsoDateTime } from '../domain'
import { spec } from '../channelSpec'

export const UPDATE_STATES = [
  /** IT turned updates off (`update.enabled: false`): it deploys versions with its own tools. */
  'disabled',
  /** No update server configured (`update.url`). */
  'unconfigured',
  'checking',
  'up_to_date',
  /** A newer version is on the server (being downloaded where the app can install it). */
  'available',
  /** Downloaded and checked: a restart installs it. */
  'ready',
  /** The last look failed (server unreachable, a malformed feed); the next one is scheduled. */
  'error',
] as const

export const UpdateStatus = z.object({
  state: z.enum(UPDATE_STATES),
  currentVersion: z.string(),
  channel: z.enum(['stable', 'test']),
  /** The version the server offers, when newer. */
  version: z.string().nullable(),
  checkedAt: IsoDateTime.nullable(),
  /** Why the last look failed, in French. */
  error: z.string().nullable(),
  /** Changes in the outbox: an update waits until they reach the server. */
  pendingChanges: z.number().int().nonnegative(),
  /** This process can install (the desktop app); a browser session (dev:web) only reports. */
  canInstall: z.boolean(),
})
export type UpdateStatus = z.infer<typeof UpdateStatus>

const Empty = z.object({}).strict()

export const updateChannels = {
  'update.status': spec(Empty, UpdateStatus),
  /** Look at the update server now. */
  'update.check': spec(Empty, UpdateStatus),
  /** Send what is pending, then restart into the downloaded version; refused while changes wait. */
  'update.restart': spec(Empty, UpdateStatus),
} as const
