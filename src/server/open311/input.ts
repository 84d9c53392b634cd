/**
 * What a portal sends, read and checked: the form of `POST requests` and the query of
 * `GET requests`. Each refusal names the Open311 parameter at fault, so a portal's
 * developer can fix the call without reading our code.
 */
import { z } from 'zod'
import { LIMITS, type Category, type Citizen, type Point } from '../../shared/domain'
import type { CitizenRequestInput, PublicRequestFilter } from '../store/types'

export const REQUESTS_LIMIT = { default: 50, max: 200 } as const

export type Parsed<T> = { ok: true; value: T } | { ok: false; description: string }

/** Portals often send every form field, the empty ones as ''. */
const blankAsMissing = (value: unknown) =>
  typeof value === 'string' && value.trim() === '' ? undefined : value

const text = (max: number, name: string) =>
  z.preprocess(
    blankAsMissing,
    z
      .string({ error: `${name} must be given once, as text` })
      .trim()
      .max(max, `${name} is limited to ${max} characters`)
      .optional(),
  )

const coordinate = (name: string, bound: number) =>
  z.preprocess(
    blankAsMissing,
    z
      .union(
        [
          z.number(),
          z
            .string()
            .trim()
            .regex(/^[-+]?\d+(\.\d+)?$/)
            .transform(Number),
        ],
        {
          error: `${name} must be a decimal number (WGS84 degrees)`,
        },
      )
      .pipe(
        z
          .number()
          .min(-bound, `${name} must lie between -${bound} and ${bound}`)
          .max(bound, `${name} must lie between -${bound} and ${bound}`),
      )
      .optional(),
  )

const SUBCATEGORY_PARAM = 'attribute[subcategory]'

const SubmissionForm = z.object({
  lat: coordinate('lat', 90),
  long: coordinate('long', 180),
  address_string: text(300, 'address_string'),
  description: z.preprocess(
    (v) => (v === undefined ? '' : v),
    z
      .string({ error: 'description must be given once, as text' })
      .trim()
      .max(LIMITS.description, `description is limited to ${LIMITS.description} characters`),
  ),
  [SUBCATEGORY_PARAM]: text(100, SUBCATEGORY_PARAM),
  email: z.preprocess(
    blankAsMissing,
    z.email({ error: 'email is not an e-mail address' }).max(254, 'email is too long').optional(),
  ),
  phone: z.preprocess(
    blankAsMissing,
    z
      .string({ error: 'phone must be given once, as text' })
      .trim()
      .regex(/^[0-9+().\s-]{3,40}$/, 'phone is not a telephone number')
      .optional(),
  ),
  first_name: text(100, 'first_name'),
  last_name: text(100, 'last_name'),
})

/** The first problem, in words (zod keeps the order of the schema). */
function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0]
  const where = issue?.path.length ? String(issue.path[0]) : ''
  const message = issue?.message ?? 'invalid'
  return where && !message.startsWith(where) ? `${where}: ${message}` : message
}

function citizenOf(form: z.output<typeof SubmissionForm>): Omit<Citizen, 'id'> | null {
  const { email, phone, first_name, last_name } = form
  if (!email && !phone && !first_name && !last_name) return null
  return {
    name: [first_name, last_name].filter(Boolean).join(' '),
    email: email ?? null,
    phone: phone ?? null,
    postalAddress: null,
    contactPreference: email ? 'email' : phone ? 'phone' : 'none',
  }
}

/** The form of `POST requests` for `category`, as the store's input (less the portal). */
export function parseSubmission(
  body: unknown,
  category: Category,
): Parsed<Omit<CitizenRequestInput, 'portal'>> {
  const parsed = SubmissionForm.safeParse(body ?? {})
  if (!parsed.success) return { ok: false, description: firstIssue(parsed.error) }
  const form = parsed.data
  if ((form.lat === undefined) !== (form.long === undefined))
    return { ok: false, description: 'lat and long go together: give both or neither' }
  const location: Point | null =
    form.lat !== undefined && form.long !== undefined ? { lat: form.lat, lon: form.long } : null
  const address = form.address_string ?? null
  if (category.requiresLocation && !location && !address)
    return { ok: false, description: 'this service needs a location: lat and long, or address_string' }

  let subcategory: string | null = null
  if (category.subcategories.length > 0) {
    subcategory = form[SUBCATEGORY_PARAM] ?? null
    if (!subcategory) return { ok: false, description: `${SUBCATEGORY_PARAM} is required for this service` }
    if (!category.subcategories.includes(subcategory))
      return {
        ok: false,
        description: `${SUBCATEGORY_PARAM} must be one of the values the service definition lists`,
      }
  }
  return {
    ok: true,
    value: {
      categoryId: category.id,
      subcategory,
      description: form.description,
      location,
      address,
      citizen: citizenOf(form),
    },
  }
}

const commaList = <T extends string>(name: string, item: z.ZodType<T, string>, max: number) =>
  z.preprocess(
    blankAsMissing,
    z
      .string({ error: `${name} must be given once, as a comma-separated list` })
      .transform((s) =>
        s
          .split(',')
          .map((part) => part.trim())
          .filter(Boolean),
      )
      .pipe(z.array(item).max(max, `${name} lists at most ${max} values`))
      .optional(),
  )

const isoDate = (name: string) =>
  z.preprocess(
    blankAsMissing,
    z
      .string({ error: `${name} must be given once` })
      .pipe(
        z.iso.datetime({
          offset: true,
          error: `${name} must be an ISO 8601 date-time with its offset, e.g. 2024-05-01T00:00:00Z`,
        }),
      )
      .transform((s) => Date.parse(s))
      .optional(),
  )

const RequestsQuery = z.object({
  service_request_id: commaList(
    'service_request_id',
    z.string().max(64, 'service_request_id: an id has at most 64 characters'),
    REQUESTS_LIMIT.max,
  ),
  service_code: commaList('service_code', z.string().max(64), 100),
  status: commaList('status', z.enum(['open', 'closed'], { error: 'status is open, closed or both' }), 2),
  start_date: isoDate('start_date'),
  end_date: isoDate('end_date'),
  limit: z.preprocess(
    blankAsMissing,
    z
      .string({ error: 'limit must be given once' })
      .regex(/^\d{1,4}$/, 'limit is a whole number')
      .transform(Number)
      .pipe(
        z
          .number()
          .min(1, 'limit is at least 1')
          .max(REQUESTS_LIMIT.max, `limit is at most ${REQUESTS_LIMIT.max}`),
      )
      .default(REQUESTS_LIMIT.default),
  ),
})

/** The query of `GET requests` as the store's filter. */
export function parseRequestsQuery(query: unknown): Parsed<PublicRequestFilter> {
  const parsed = RequestsQuery.safeParse(query ?? {})
  if (!parsed.success) return { ok: false, description: firstIssue(parsed.error) }
  const q = parsed.data
  // GeoReport v2: service_request_id overrides every other parameter.
  if (q.service_request_id?.length)
    return { ok: true, value: { ids: q.service_request_id, limit: q.service_request_id.length } }
  if (q.start_date !== undefined && q.end_date !== undefined && q.start_date > q.end_date)
    return { ok: false, description: 'start_date is after end_date' }
  return {
    ok: true,
    value: {
      categoryIds: q.service_code,
      statusKinds: q.status,
      from: q.start_date,
      to: q.end_date,
      limit: q.limit,
    },
  }
}
