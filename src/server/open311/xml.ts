/**
 * A small XML writer for the Open311 replies: elements and text only (no attributes, no
 * namespaces), which is all GeoReport v2 uses. Every text is escaped, so what a citizen
 * typed (`<script>`, `&`, quotes) comes back as text, never as markup.
 */

export type XmlValue = string | number | boolean | null | undefined | XmlFields | XmlList

export interface XmlFields {
  readonly [name: string]: XmlValue
}

/** A repeated child element: `<services><service>…</service>…</services>`. */
export interface XmlList {
  readonly xmlItem: string
  readonly items: readonly XmlValue[]
}

export const xmlList = (itemName: string, items: readonly XmlValue[]): XmlList => ({
  xmlItem: itemName,
  items,
})

const XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>'
const ELEMENT_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/
/**
 * Characters XML 1.0 cannot carry even escaped (C0 controls but tab and newlines, U+FFFE/FFFF,
 * unpaired surrogates): dropped, so one odd byte in a description cannot make the document unreadable.
 */
const NOT_XML_CHAR =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
}

export function escapeXml(text: string): string {
  return text.replace(NOT_XML_CHAR, '').replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c)
}

const isList = (value: XmlValue): value is XmlList =>
  typeof value === 'object' && value !== null && 'xmlItem' in value && 'items' in value

function element(name: string, value: XmlValue): string {
  if (!ELEMENT_NAME.test(name)) throw new Error(`not an XML element name: ${name}`)
  if (value === null || value === undefined || value === '') return `<${name}/>`
  return `<${name}>${content(value)}</${name}>`
}

function content(value: XmlValue): string {
  if (value === null || value === undefined) return ''
  if (typeof value === 'string') return escapeXml(value)
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : ''
  if (typeof value === 'boolean') return value ? 'true' : 'false'
  if (isList(value)) return value.items.map((item) => element(value.xmlItem, item)).join('')
  return Object.entries(value)
    .map(([name, child]) => element(name, child))
    .join('')
}

/** A whole document: the declaration, then `<root>…</root>`. */
export function xmlDocument(rootName: string, value: XmlValue): string {
  return `${XML_DECLARATION}\n${element(rootName, value)}\n`
}
