/**
 * Loading workflow definitions (circuits): every `*.json` of a folder, validated with the
 * shared zod schema plus the engine's own consistency rules. A bad definition stops the
 * start with a message naming the file and the field, so IT can fix a deployed folder.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { z } from 'zod'
import { WorkflowDefinition, WorkflowState, WorkflowTransition } from '../../shared/workflow'

export interface DefinitionIssue {
  /** Field path, e.g. `transitions[3].to` (empty for the whole document). */
  path: string
  message: string
}

/** A definition that cannot be used; the message reads `<source>: <field>: <problem>`. */
export class WorkflowDefinitionError extends Error {
  constructor(
    readonly source: string,
    readonly issues: DefinitionIssue[],
  ) {
    super(`${source}: ${issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ')}`)
    this.name = 'WorkflowDefinitionError'
  }
}

/** `transitions[3].to` from `['transitions', 3, 'to']`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = ''
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`
    else out += out ? `.${String(key)}` : String(key)
  }
  return out
}

const TOP_KEYS = new Set(Object.keys(WorkflowDefinition.shape))
const STATE_KEYS = new Set(Object.keys(WorkflowState.shape))
const TRANSITION_KEYS = new Set(Object.keys(WorkflowTransition.shape))

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

/**
 * The schema drops keys it does not know; in a hand-edited file such a key is almost
 * always a typo (`require` for `requires`) that would silently loosen the workflow.
 */
function unknownKeys(json: unknown): DefinitionIssue[] {
  const issues: DefinitionIssue[] = []
  const check = (value: unknown, known: ReadonlySet<string>, path: (string | number)[]) => {
    if (!isRecord(value)) return
    for (const key of Object.keys(value))
      if (!known.has(key) && key !== '$schema')
        issues.push({ path: formatPath([...path, key]), message: 'unknown key' })
  }
  check(json, TOP_KEYS, [])
  if (isRecord(json)) {
    const { states, transitions } = json
    if (Array.isArray(states)) states.forEach((s, i) => check(s, STATE_KEYS, ['states', i]))
    if (Array.isArray(transitions))
      transitions.forEach((t, i) => check(t, TRANSITION_KEYS, ['transitions', i]))
  }
  return issues
}

/** Rules the schema cannot express but the engine relies on. */
function consistencyIssues(def: WorkflowDefinition): DefinitionIssue[] {
  const issues: DefinitionIssue[] = []
  const byId = new Map(def.states.map((s) => [s.id, s]))
  if (byId.get(def.initial)?.kind === 'closed')
    issues.push({ path: 'initial', message: `the initial state "${def.initial}" must be an open state` })
  def.states.forEach((s, i) => {
    if (s.pausesSla && s.kind === 'closed')
      issues.push({ path: `states[${i}].pausesSla`, message: 'a closed state cannot pause the SLA clock' })
  })
  if (!def.states.some((s) => s.kind === 'closed'))
    issues.push({ path: 'states', message: 'at least one state must be of kind "closed"' })
  def.transitions.forEach((t, i) => {
    const seen = new Set<string>()
    t.from.forEach((f, j) => {
      if (seen.has(f))
        issues.push({ path: `transitions[${i}].from[${j}]`, message: `"${f}" is listed twice` })
      seen.add(f)
    })
  })
  // Every state but the initial one must be the target of some transition, or no request can reach it.
  const targets = new Set(def.transitions.map((t) => t.to))
  def.states.forEach((s, i) => {
    if (s.id !== def.initial && !targets.has(s.id))
      issues.push({ path: `states[${i}].id`, message: `no transition leads to "${s.id}"` })
  })
  return issues
}

const issuesOf = (error: z.ZodError): DefinitionIssue[] =>
  error.issues.map((i) => ({ path: formatPath(i.path), message: i.message }))

/**
 * Validate one definition from any origin (a bundled file, the cache, the server);
 * `source` names it in the error. Throws `WorkflowDefinitionError`.
 */
export function parseWorkflowDefinition(json: unknown, source: string): WorkflowDefinition {
  const parsed = WorkflowDefinition.safeParse(json)
  const issues = [
    ...unknownKeys(json),
    ...(parsed.success ? consistencyIssues(parsed.data) : issuesOf(parsed.error)),
  ]
  if (issues.length > 0 || !parsed.success) throw new WorkflowDefinitionError(source, issues)
  return parsed.data
}

/**
 * Read and validate every `*.json` of `dir` (in name order), keyed by workflow id. Throws
 * `WorkflowDefinitionError` for an unreadable folder or file, invalid JSON, a definition
 * the schema refuses, two files declaring the same id, or a folder with no definition.
 */
export function loadWorkflowDefinitions(dir: string): Map<string, WorkflowDefinition> {
  let names: string[]
  try {
    names = readdirSync(dir).filter((n) => n.toLowerCase().endsWith('.json'))
  } catch (e) {
    throw new WorkflowDefinitionError(dir, [
      { path: '', message: `cannot read the folder (${errorText(e)})` },
    ])
  }
  names.sort()
  if (names.length === 0)
    throw new WorkflowDefinitionError(dir, [
      { path: '', message: 'no workflow definition (*.json) in this folder' },
    ])
  const defs = new Map<string, WorkflowDefinition>()
  const fileOf = new Map<string, string>()
  for (const name of names) {
    const file = join(dir, name)
    let json: unknown
    try {
      json = JSON.parse(readFileSync(file, 'utf8').replace(/^\uFEFF/, ''))
    } catch (e) {
      const what = e instanceof SyntaxError ? 'invalid JSON' : 'cannot read the file'
      throw new WorkflowDefinitionError(file, [{ path: '', message: `${what} (${errorText(e)})` }])
    }
    const def = parseWorkflowDefinition(json, file)
    const other = fileOf.get(def.id)
    if (other)
      throw new WorkflowDefinitionError(file, [
        { path: 'id', message: `"${def.id}" is already defined in ${other}` },
      ])
    fileOf.set(def.id, file)
    defs.set(def.id, def)
  }
  return defs
}

const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e))
