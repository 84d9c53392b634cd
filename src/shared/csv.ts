/**
 * CSV as French Excel opens it without a wizard: UTF-8 with a BOM, `;` between cells, CRLF
 * line ends. A cell that looks like a formula (= + - @, tab, CR first) gets a leading `'` so
 * a spreadsheet shows it as text and never runs it (CSV injection); a cell with `;`, a quote
 * or a line break is quoted. Shared by the queue's export (core) and the dashboard's (screen).
 */
export const CSV_BOM = '\uFEFF'

export function csvCell(value: string | number | null): string {
  if (value === null) return ''
  if (typeof value === 'number') return String(value)
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value
  return /[;"\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}

export const csvLine = (cells: readonly (string | number | null)[]) => `${cells.map(csvCell).join(';')}\r\n`
