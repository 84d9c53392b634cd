/**
 * The queue's current view as a spreadsheet: the core reads the view page by page and
 * answers each page as CSV text for French Excel (UTF-8 with BOM, `;`, CRLF, formula-safe
 * cells), keyed by the queue's own keyset cursor, so a large view streams with a progress bar
 * and the renderer only joins the pages and saves them.
 */
import { z } from 'zod'
import { spec } from '../channelSpec'

/** Rows per page: a fraction of a second for the core, a visible step of the progress bar. */
export const EXPORT_PAGE_ROWS = 2000

export const QueueExportPage = z.object({
  /** CSV text; the first page starts with the BOM and the header line. Every line ends in CRLF. */
  csv: z.string(),
  rows: z.number().int().nonnegative(),
  /** Ask again with it for the next page; null: this was the last. */
  nextCursor: z.string().nullable(),
  /** Requests in the whole view, on the first page (for the progress bar); null on the others. */
  total: z.number().int().nonnegative().nullable(),
})
export type QueueExportPage = z.infer<typeof QueueExportPage>

/**
 * The channels, given the queue's filter and sort schemas: they live in contract.ts, which
 * spreads these channels, so importing them here would make a cycle.
 */
export const queueExportChannels = <F extends z.ZodType<object>, S extends z.ZodType<string>>(
  QueueFilter: F,
  QueueSort: S,
) =>
  ({
    /** One page of the view `filter` × `sort` as CSV, within the session's teams; headers and words in `language`. */
    'queue.exportPage': spec(
      z
        .object({
          filter: QueueFilter,
          sort: QueueSort,
          after: z.string().max(512).nullable().default(null),
          language: z.enum(['fr', 'en']).default('fr'),
        })
        .strict(),
      QueueExportPage,
    ),
  }) as const
