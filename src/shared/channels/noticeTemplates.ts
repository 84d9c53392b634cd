/**
 * Reply templates administered from the console (issue 14): the core reads and changes
 * them on the central server, which stores them and sends every notice with them. Admins
 * only, checked in the core and again by the server.
 */
import { z } from 'zod'
import { IsoDateTime, LocalizedText } from '../domain'
import { spec } from '../channelSpec'
import { NoticeEvent, TEMPLATE_LIMITS, TemplateCategoryId, TemplateText } from '../noticeTemplates'

/**
 * One category's (or `*`: every category's) template for one event, as it reads now:
 * - `default`: the shipped template for exactly this category and event;
 * - `server`: an administrator's version saved on the server;
 * - `inherited`: nothing of its own, the text in force comes from `inheritedFrom`.
 */
export const NoticeTemplateSlot = TemplateText.extend({
  categoryId: TemplateCategoryId,
  event: NoticeEvent,
  source: z.enum(['default', 'server', 'inherited']),
  inheritedFrom: z.object({ categoryId: TemplateCategoryId, event: NoticeEvent }).nullable(),
  /** The version a save names (0: nothing saved on the server for this slot). */
  version: z.number().int().nonnegative(),
  updatedAt: IsoDateTime.nullable(),
  updatedBy: z.string().nullable(),
})
export type NoticeTemplateSlot = z.infer<typeof NoticeTemplateSlot>

export const NoticeTemplates = z.object({
  /** Every slot: `*` first, then each category, each with the events its workflow notifies. */
  slots: z.array(NoticeTemplateSlot),
  /** The placeholders a template may use, with what each becomes (in French, from the server). */
  placeholders: z.array(z.object({ name: z.string(), meaning: z.string() })),
  /** Whether `{agent}` (the agent's own name) may be used: the server's configuration says. */
  allowAgentName: z.boolean(),
  /** The name of each `transition:<id>` event: the workflow transition's label. */
  transitionLabels: z.record(z.string(), LocalizedText),
})
export type NoticeTemplates = z.infer<typeof NoticeTemplates>

const Slot = { categoryId: TemplateCategoryId, event: NoticeEvent }

export const NoticeTemplateSaveInput = z
  .object({
    ...Slot,
    subject: z.string().max(TEMPLATE_LIMITS.subject),
    body: z.string().max(TEMPLATE_LIMITS.body),
    /** Absent: the SMS text in force is kept. */
    sms: z.string().max(TEMPLATE_LIMITS.sms).optional(),
    /** The slot's version the administrator edited: a stale one is refused, never overwritten. */
    baseVersion: z.number().int().nonnegative(),
  })
  .strict()
export type NoticeTemplateSaveInput = z.infer<typeof NoticeTemplateSaveInput>

export const noticeTemplateChannels = {
  /** Every template slot with its text in force, the placeholders and whether `{agent}` is allowed. */
  'admin.noticeTemplates': spec(z.object({}).strict(), NoticeTemplates),
  /** Save one slot's text on the server; every slot as they now read. */
  'admin.saveNoticeTemplate': spec(NoticeTemplateSaveInput, NoticeTemplates),
  /** Drop the server's version of one slot (back to the shipped default or the inherited text). */
  'admin.resetNoticeTemplate': spec(z.object(Slot).strict(), NoticeTemplates),
} as const
