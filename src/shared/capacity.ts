/**
 * A person's working capacity as the lead sets it for the dispatch board (issue 15): weekly
 * hours and absences. Kept on the central server and sent to every console with the
 * reference data (`ReferenceBundle.capacity`), so every lead's board agrees.
 *
 * An absence carries a reason category only, never free text: a lead must not write down
 * why someone is off sick (RGPD art. 9, health data). « other » covers what the lead has
 * no business recording.
 */
import { z } from 'zod'
import { Id } from './domain'
import { IsoDay } from './savedTour'

/** A full-time week in a French local authority (35 hours): a person nobody set a capacity for. */
export const DEFAULT_WEEKLY_HOURS = 35
/** At most this many hours a week (the legal maximum is 48; a little room for overtime entries). */
export const MAX_WEEKLY_HOURS = 60
/** Absences kept per person (past ones are dropped by the lead, not by the server). */
export const MAX_ABSENCES = 60

/** Why someone is away, as a category: leave, training, time off in lieu, anything else. */
export const ABSENCE_REASONS = ['leave', 'training', 'recovery', 'other'] as const
export const AbsenceReason = z.enum(ABSENCE_REASONS)
export type AbsenceReason = z.infer<typeof AbsenceReason>

/** Away from `from` to `to`, both days included (the authority's calendar days). */
export const Absence = z
  .object({ from: IsoDay, to: IsoDay, reason: AbsenceReason })
  .strict()
  .refine((a) => a.from <= a.to, { message: 'une absence finit le jour où elle commence ou après' })
export type Absence = z.infer<typeof Absence>

const WeeklyHours = z.number().min(0).max(MAX_WEEKLY_HOURS)

/** What a lead sets for one person. */
export const CapacitySave = z
  .object({ weeklyHours: WeeklyHours, absences: z.array(Absence).max(MAX_ABSENCES) })
  .strict()
export type CapacitySave = z.infer<typeof CapacitySave>

/** One person's capacity as stored and synced. */
export const WorkCapacity = z.object({
  agentId: Id,
  weeklyHours: WeeklyHours,
  absences: z.array(Absence).max(MAX_ABSENCES),
})
export type WorkCapacity = z.infer<typeof WorkCapacity>

/** The server's answer to a change: the capacity as stored. */
export const CapacityReply = z.object({ capacity: WorkCapacity })
export type CapacityReply = z.infer<typeof CapacityReply>

/** Whether `day` (`YYYY-MM-DD`) falls in one of `absences`; the absence, or undefined. */
export const absenceOn = (absences: readonly Absence[], day: string): Absence | undefined =>
  absences.find((a) => a.from <= day && day <= a.to)
