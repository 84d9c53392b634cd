/**
 * Our domain as GeoReport v2 sees it: a category is a service, a request is a service
 * request. Field names and order follow the specification; a public request carries
 * nothing about the citizen who made it.
 */
import type { Category } from '../../shared/domain'
import type { RequestRecord } from '../../shared/sync'
import { xmlList, type XmlFields } from './xml'

export const SUBCATEGORY_ATTRIBUTE = 'subcategory'

export interface Open311Service extends XmlFields {
  service_code: string
  service_name: string
  description: string
  metadata: boolean
  type: 'realtime'
  keywords: string
  group: string
}

export function serviceOf(category: Category): Open311Service {
  const where = category.requiresLocation ? ' A location (lat and long, or address_string) is required.' : ''
  return {
    service_code: category.id,
    service_name: category.name.fr,
    description: `${category.name.fr} (${category.name.en}).${where}`,
    metadata: category.subcategories.length > 0,
    type: 'realtime',
    keywords: [category.code, ...category.subcategories].join(', '),
    // The team that handles it by default: it gathers services the way the authority is organised.
    group: category.defaultTeamId,
  }
}

export interface Open311Attribute {
  variable: true
  code: string
  datatype: 'singlevaluelist'
  required: true
  datatype_description: string
  order: number
  description: string
  values: { key: string; name: string }[]
}

export interface Open311ServiceDefinition {
  service_code: string
  attributes: Open311Attribute[]
}

export function serviceDefinitionOf(category: Category): Open311ServiceDefinition {
  const attributes: Open311Attribute[] =
    category.subcategories.length === 0
      ? []
      : [
          {
            variable: true,
            code: SUBCATEGORY_ATTRIBUTE,
            datatype: 'singlevaluelist',
            required: true,
            datatype_description: 'One of the listed keys.',
            order: 1,
            description: 'Type de problème',
            values: category.subcategories.map((s) => ({ key: s, name: s })),
          },
        ]
  return { service_code: category.id, attributes }
}

/** The XML shape: lists become repeated `<attribute>` and `<value>` elements. */
export function serviceDefinitionXml(definition: Open311ServiceDefinition): XmlFields {
  return {
    service_code: definition.service_code,
    attributes: xmlList(
      'attribute',
      definition.attributes.map((a) => ({ ...a, values: xmlList('value', a.values) })),
    ),
  }
}

/** W3C date-time without milliseconds, as the specification's examples write them. */
const isoSeconds = (ms: number | null) =>
  ms === null ? null : new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')

export interface Open311Request extends XmlFields {
  service_request_id: string
  status: 'open' | 'closed'
  /** The latest public reply (statusNotes.ts), null before the first. */
  status_notes: string | null
  service_name: string | null
  service_code: string
  description: string
  agency_responsible: string | null
  service_notice: null
  requested_datetime: string | null
  updated_datetime: string | null
  expected_datetime: string | null
  address: string | null
  address_id: null
  zipcode: null
  lat: number | null
  long: number | null
  media_url: null
}

/** A request as anyone may read it: no citizen, no internal fields, no assignee. */
export function publicRequestOf(
  record: RequestRecord,
  categories: ReadonlyMap<string, Category>,
  statusNotes: ReadonlyMap<string, string> = new Map(),
): Open311Request {
  return {
    service_request_id: record.id,
    status: record.statusKind,
    status_notes: statusNotes.get(record.id) ?? null,
    service_name: categories.get(record.categoryId)?.name.fr ?? null,
    service_code: record.categoryId,
    description: record.description,
    agency_responsible: record.teamId || null,
    service_notice: null,
    requested_datetime: isoSeconds(record.createdAt),
    updated_datetime: isoSeconds(record.updatedAt),
    expected_datetime: isoSeconds(record.dueAt),
    address: record.address,
    address_id: null,
    zipcode: null,
    lat: record.lat,
    long: record.lon,
    media_url: null,
  }
}

export interface Open311Receipt extends XmlFields {
  service_request_id: string
  service_notice: string
  account_id: null
}

export function receiptOf(record: RequestRecord): Open311Receipt {
  return {
    service_request_id: record.id,
    service_notice: `Demande enregistrée sous la référence ${record.reference}.`,
    account_id: null,
  }
}
