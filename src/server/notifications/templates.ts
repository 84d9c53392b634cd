/**
 * Reply templates: what a notice says, per category and per event, in French, with
 * placeholders (their schemas and rendering in src/shared/noticeTemplates.ts, which the
 * console shares). The defaults ship in resources/notices/templates.json; administrators
 * replace them per category on the server (templateStore.ts). The agent's own name is
 * never a placeholder unless the configuration allows it (`notifications.allowAgentName`):
 * the citizen hears from the service.
 */
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { z } from 'zod'
import { NoticeTemplate, templateProblem } from '../../shared/noticeTemplates'

export {
  NoticeEvent,
  PLACEHOLDERS,
  TemplateText,
  NoticeTemplate,
  unknownPlaceholders,
  templateProblem,
  renderTemplate,
  pickTemplate,
  key,
  type Placeholder,
  type PlaceholderValues,
} from '../../shared/noticeTemplates'

const DefaultsFile = z.object({ templates: z.array(NoticeTemplate).min(1) })

/** resources/notices, found from this file upwards (the repository, or a packaged copy). */
function bundledTemplatesFile(from = __dirname): string {
  let dir = from
  for (let i = 0; i < 8; i++) {
    const candidate = join(dir, 'resources', 'notices', 'templates.json')
    if (existsSync(candidate)) return candidate
    const parent = dirname(dir)
    if (parent === dir) break
    dir = parent
  }
  throw new Error('resources/notices/templates.json not found: the default notice templates are missing')
}

let defaults: NoticeTemplate[] | null = null

/** The shipped templates, checked once (an unknown placeholder in them is a bug: refused at start). */
export function defaultTemplates(file?: string): NoticeTemplate[] {
  if (!file && defaults) return defaults
  const path = file ?? bundledTemplatesFile()
  const parsed = DefaultsFile.parse(JSON.parse(readFileSync(path, 'utf8')))
  for (const t of parsed.templates) {
    const problem = templateProblem(t, false)
    if (problem) throw new Error(`${path}: ${t.categoryId}/${t.event}: ${problem}`)
  }
  if (!file) defaults = parsed.templates
  return parsed.templates
}
