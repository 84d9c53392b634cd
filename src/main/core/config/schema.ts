/**
 * The one configuration schema. Every key has a default so a workstation with no
 * configuration opens the demo profile; later issues add their sections here
 * (directory, server, map).
 */
import { z } from 'zod'
import { Role } from '../../../shared/domain'

const HourMinute = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM (24 h)')
const IsoDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD')

export const AppConfigSchema = z
  .object({
    profile: z
      .object({
        /** Profile name: one SQLite cache per profile, under `<dataDir>/profiles/<name>/`. */
        name: z
          .string()
          .regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'lower-case letters, digits, dot, dash, underscore')
          .default('demo'),
        /** Where profiles live; defaults to the app's user-data folder. */
        dataDir: z.string().min(1).optional(),
      })
      .strict()
      .prefault({}),
    auth: z
      .object({
        provider: z.enum(['local']).default('local'),
        local: z
          .object({
            /** JSON list of embedded accounts with scrypt hashes; the demo accounts when absent. */
            accountsFile: z.string().min(1).optional(),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    demo: z
      .object({
        /** Seed the profile with demo data when its cache is empty. */
        seedWhenEmpty: z.boolean().default(true),
        requests: z.number().int().min(0).max(1_000_000).default(5000),
        seed: z.number().int().default(42),
      })
      .strict()
      .prefault({}),
    ui: z
      .object({ language: z.enum(['fr', 'en']).default('fr') })
      .strict()
      .prefault({}),
    workflows: z
      .object({
        /** A folder of workflow definitions replacing the built-in ones. */
        dir: z.string().min(1).optional(),
      })
      .strict()
      .prefault({}),
    sla: z
      .object({
        timeZone: z.string().min(1).default('Europe/Paris'),
        dayStart: HourMinute.default('08:30'),
        dayEnd: HourMinute.default('17:30'),
        /** Good Friday and 26 December are public holidays in Alsace-Moselle only. */
        alsaceMoselle: z.boolean().default(false),
        extraClosedDays: z.array(IsoDay).default([]),
      })
      .strict()
      .refine((s) => s.dayStart < s.dayEnd, { message: 'dayStart must be before dayEnd', path: ['dayEnd'] })
      .prefault({}),
    sync: z
      .object({
        /** The central server (`npm run server`); none: the console works on its local cache alone. */
        serverUrl: z
          .url({ protocol: /^https?$/, error: 'serverUrl must be an http(s) URL' })
          .nullable()
          .default(null),
        /** Seconds between two rounds when no nudge came (nudges make it near-immediate). */
        intervalSeconds: z.number().int().min(5).max(3600).default(60),
        /** Seconds before a request to the server is given up (then retried with backoff). */
        timeoutSeconds: z.number().int().min(1).max(600).default(20),
        /** Changes per page of the feed: smaller pages keep the UI smoother on slow machines. */
        pageSize: z.number().int().min(10).max(1000).default(200),
      })
      .strict()
      .prefault({}),
    privacy: z
      .object({
        /** Roles that may read a citizen's contact details (each read is logged). */
        citizenDataRoles: z.array(Role).default(['agent', 'lead', 'supervisor', 'dpo']),
      })
      .strict()
      .prefault({}),
  })
  .strict()

export type AppConfig = z.output<typeof AppConfigSchema>
