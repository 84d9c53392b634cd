/**
 * In-console notifications (issue 15): what the core tells the agent happened to them
 * (a request assigned to them, one about to breach its deadline, a conflict, a mention).
 * The core produces them (src/main/notifications); the screen lists them in words and marks
 * them read. Each kind can be turned off by the agent, or by IT in the machine configuration
 * (`consoleNotifications`), and then the agent's switch says so.
 */
import { z } from 'zod'
import { Id, IsoDateTime } from '../domain'
import { spec } from '../channelSpec'

export const NOTIFICATION_KINDS = ['assigned', 'sla_soon', 'conflict', 'mention'] as const
export const NotificationKind = z.enum(NOTIFICATION_KINDS)
export type NotificationKind = z.infer<typeof NotificationKind>

/** The most notifications one list returns (the newest). */
export const NOTIFICATIONS_PER_LIST = 100

export const AgentNotification = z.object({
  id: z.number().int().positive(),
  kind: NotificationKind,
  requestId: Id,
  /** The request's reference (`GRC-2026-000123`): the words name the request by it. */
  reference: z.string(),
  /** Who assigned or mentioned (assigned, mention). */
  actorName: z.string().nullable(),
  /** Business minutes left before the deadline when it was noticed (sla_soon). */
  minutesLeft: z.number().int().nullable(),
  /** The server's answer to the change (conflict): another agent changed it first, or it was refused. */
  conflictKind: z.enum(['conflict', 'rejected']).nullable(),
  createdAt: IsoDateTime,
  readAt: IsoDateTime.nullable(),
})
export type AgentNotification = z.infer<typeof AgentNotification>

export const NotificationList = z.object({
  items: z.array(AgentNotification),
  unread: z.number().int().nonnegative(),
})
export type NotificationList = z.infer<typeof NotificationList>

export const NotificationKindSetting = z.object({
  kind: NotificationKind,
  /** The agent's own choice (on unless they turned it off). */
  chosen: z.boolean(),
  /** Turned off by the workstation's configuration (IT): the agent's choice does not apply. */
  forcedOff: z.boolean(),
})
export const NotificationSettings = z.object({
  kinds: z.array(NotificationKindSetting),
  /** Business minutes before a deadline when « about to pass » is said. */
  slaSoonMinutes: z.number().int().positive(),
  /** The system's notifications are shown when the window is not in front. */
  system: z.boolean(),
})
export type NotificationSettings = z.infer<typeof NotificationSettings>

export const notificationsChannels = {
  /** The agent's notifications, newest first, with the unread count. */
  'notifications.list': spec(z.object({}).strict(), NotificationList),
  /** Mark one notification read (or all of them); answers the list as it is now. */
  'notifications.markRead': spec(
    z.union([
      z.object({ id: z.number().int().positive() }).strict(),
      z.object({ all: z.literal(true) }).strict(),
    ]),
    NotificationList,
  ),
  /** Each kind: the agent's choice and whether IT turned it off on this workstation. */
  'notifications.settings': spec(z.object({}).strict(), NotificationSettings),
  /** Turn one kind on or off for the agent; refused when IT turned it off. */
  'notifications.setEnabled': spec(
    z.object({ kind: NotificationKind, enabled: z.boolean() }).strict(),
    NotificationSettings,
  ),
  /**
   * A system notification was clicked: it is read, and its request waits for the window to
   * open it (`notifications.changed`, then `notifications.takeOpenRequest`).
   */
  'notifications.openFromSystem': spec(z.object({ id: z.number().int().positive() }).strict(), z.object({})),
  /**
   * The request a click on a system notification asked to open (taken once), for the
   * window to show it; null when none waits.
   */
  'notifications.takeOpenRequest': spec(z.object({}).strict(), z.object({ requestId: Id.nullable() })),
} as const
