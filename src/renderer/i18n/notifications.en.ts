/** English words of notifications (issue 15); merged into en.ts under `notifications`. */
import type { notificationsFr } from './notifications.fr'

export const notificationsEn: typeof notificationsFr = {
  bell: 'Notifications, none unread | Notifications, {n} unread | Notifications, {n} unread',
  title: 'Notifications',
  empty: 'No notifications for now.',
  markAllRead: 'Mark all as read',
  close: 'Close',
  unread: 'unread',
  justNow: 'just now',
  loadError: 'The notifications could not be read ({reason}).',
  retry: 'Try again',
  words: {
    assigned: 'Request {reference} was assigned to you by {actor}',
    assignedBySomeone: 'Request {reference} was assigned to you',
    sla_soon: 'Request {reference} passes its deadline in {left} of business time',
    conflict: 'Conflict on request {reference}: your change waits for your choice',
    rejected: 'Change refused on request {reference}',
    mention: '{actor} mentioned you on request {reference}',
    mentionBySomeone: 'You were mentioned on request {reference}',
  },
  duration: {
    hoursMinutes: '{h} h {m}',
    hours: '{h} h',
    minutes: '{m} min',
  },
  settings: {
    title: 'Notifications',
    intro:
      'What the console tells you in the bell of the top bar, and through the system when the window is not in front.',
    kinds: {
      assigned: 'A request is assigned to me by someone else',
      sla_soon: 'One of my open requests is less than {left} of business time from its deadline',
      conflict: 'One of my changes is in conflict or refused by the server',
      mention: 'Someone mentions me in a comment ({at}login)',
    },
    forcedOff: 'Turned off by IT in the workstation’s configuration.',
    system:
      'System notifications: shown when the window is not in front (the system’s “Do not disturb” applies).',
    systemOff: 'System notifications: turned off in the workstation’s configuration.',
    loadError: 'Your notification settings could not be read ({reason}).',
  },
}
