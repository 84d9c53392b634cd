/**
 * The console's in-app notifications to the agent (issue 15; config file section
 * `consoleNotifications`; the server's notices to citizens are `notifications`). Each kind
 * is on by default; `false` turns it off on this workstation whatever the agent chooses,
 * and IT keeps an agent's own file from turning it back on with
 * `"policy": { "locked": ["consoleNotifications"] }` in the machine configuration.
 */
import { z } from 'zod'

export const ConsoleNotificationsSchema = z
  .object({
    /** A request assigned to the agent by someone else. */
    assigned: z.boolean().default(true),
    /** One of the agent's open requests about to pass its deadline (business time). */
    slaSoon: z.boolean().default(true),
    /** A change of this console the server answered with a conflict or a refusal. */
    conflict: z.boolean().default(true),
    /** A comment by someone else naming the agent (`@login`). */
    mention: z.boolean().default(true),
    /** How much business time (minutes) before the deadline « about to pass » starts: 2 working hours. */
    slaSoonMinutes: z
      .number()
      .int()
      .min(5)
      .max(5 * 24 * 60)
      .default(120),
    /** The system's own notifications (Electron) when the window is not in front. */
    system: z.boolean().default(true),
  })
  .strict()
  .prefault({})
export type ConsoleNotificationsConfig = z.infer<typeof ConsoleNotificationsSchema>
