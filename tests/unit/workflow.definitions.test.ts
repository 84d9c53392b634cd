import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import {
  loadWorkflowDefinitions,
  parseWorkflowDefinition,
  WorkflowDefinitionError,
} from '../../src/core/workflow/definitions'
import { initialStateOf, statusesOf } from '../../src/core/workflow/engine'

const shippedDir = fileURLToPath(new URL('../../resources/workflows', import.meta.url))
const shipped = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(join(shippedDir, name), 'utf8'))

function folderWith(files: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'grc-workflows-'))
  for (const [name, value] of Object.entries(files))
    writeFileSync(join(dir, name), typeof value === 'string' ? value : JSON.stringify(value, null, 2))
  return dir
}

function errorOf(fn: () => unknown): WorkflowDefinitionError {
  try {
    fn()
  } catch (e) {
    if (e instanceof WorkflowDefinitionError) return e
    throw e
  }
  throw new Error('expected a WorkflowDefinitionError')
}

describe('the shipped workflow definitions', () => {
  const defs = loadWorkflowDefinitions(shippedDir)

  it('load, with the state ids the demo data uses', () => {
    expect([...defs.keys()].sort()).toEqual(['information', 'intervention'])
    const kinds = (id: string) => Object.fromEntries(defs.get(id)!.states.map((s) => [s.id, s.kind]))
    expect(kinds('intervention')).toEqual({
      new: 'open',
      qualified: 'open',
      assigned: 'open',
      scheduled: 'open',
      in_progress: 'open',
      waiting_citizen: 'open',
      done: 'open',
      closed: 'closed',
      rejected: 'closed',
      duplicate: 'closed',
    })
    expect(kinds('information')).toEqual({
      new: 'open',
      in_progress: 'open',
      waiting_citizen: 'open',
      answered: 'open',
      closed: 'closed',
      rejected: 'closed',
    })
    for (const def of defs.values()) {
      expect(initialStateOf(def).id).toBe('new')
      expect(def.states.filter((s) => s.pausesSla).map((s) => s.id)).toEqual(['waiting_citizen'])
    }
  })

  it('label every state and transition in French and English', () => {
    for (const def of defs.values())
      for (const item of [...def.states, ...def.transitions]) {
        expect(item.label.fr.trim()).not.toBe('')
        expect(item.label.en.trim()).not.toBe('')
      }
  })

  it('give the UI each status once across workflows', () => {
    const statuses = statusesOf(defs.values())
    const ids = statuses.map((s) => s.id)
    expect(new Set(ids).size).toBe(ids.length)
    expect(ids).toEqual(expect.arrayContaining(['new', 'answered', 'duplicate', 'waiting_citizen']))
    expect(statuses.find((s) => s.id === 'closed')).toEqual({
      id: 'closed',
      kind: 'closed',
      label: { fr: 'Clôturée', en: 'Closed' },
    })
  })
})

describe('a bad definition is refused with the file and the field', () => {
  it('names an unknown target state', () => {
    const def = shipped('intervention.json')
    const transitions = def.transitions as { to: string }[]
    transitions[3]!.to = 'clozed'
    const e = errorOf(() => loadWorkflowDefinitions(folderWith({ 'intervention.json': def })))
    expect(e.message).toContain('intervention.json: transitions[3].to: unknown state "clozed"')
  })

  it('names invalid JSON', () => {
    const dir = folderWith({ 'information.json': '{ "id": "information", ' })
    const e = errorOf(() => loadWorkflowDefinitions(dir))
    expect(e.message).toMatch(/information\.json: invalid JSON/)
    expect(e.source).toBe(join(dir, 'information.json'))
  })

  it('names a wrong value deep in the document', () => {
    const def = shipped('information.json')
    ;(def.states as { kind: string }[])[1]!.kind = 'ouvert'
    ;(def.transitions as { roles: string[] }[])[0]!.roles = ['mayor']
    const e = errorOf(() => loadWorkflowDefinitions(folderWith({ 'information.json': def })))
    expect(e.message).toMatch(/^.*information\.json: /)
    expect(e.issues.map((i) => i.path)).toEqual(
      expect.arrayContaining(['states[1].kind', 'transitions[0].roles[0]']),
    )
  })

  it('refuses a misspelt key instead of silently dropping it', () => {
    const def = shipped('intervention.json')
    const transitions = def.transitions as Record<string, unknown>[]
    transitions[6]!.require = transitions[6]!.requires
    delete transitions[6]!.requires
    const e = errorOf(() => loadWorkflowDefinitions(folderWith({ 'intervention.json': def })))
    expect(e.message).toContain('intervention.json: transitions[6].require: unknown key')
  })

  it('refuses a closed initial state, a pausing closed state and an unreachable state', () => {
    const def = shipped('information.json')
    def.initial = 'closed'
    ;(def.states as { id: string; pausesSla?: boolean }[])[5]!.pausesSla = true
    const e = errorOf(() => parseWorkflowDefinition(def, 'server:information@2'))
    expect(e.message).toMatch(/^server:information@2: /)
    expect(e.issues.map((i) => i.path).sort()).toEqual(['initial', 'states[0].id', 'states[5].pausesSla'])
  })

  it('refuses two files declaring the same workflow', () => {
    const def = shipped('information.json')
    const e = errorOf(() => loadWorkflowDefinitions(folderWith({ 'a.json': def, 'b.json': def })))
    expect(e.message).toMatch(/b\.json: id: "information" is already defined in .*a\.json/)
  })

  it('refuses a folder without definitions, or a missing folder', () => {
    const empty = folderWith({ 'README.txt': 'nothing here' })
    expect(errorOf(() => loadWorkflowDefinitions(empty)).message).toContain('no workflow definition')
    expect(errorOf(() => loadWorkflowDefinitions(join(empty, 'missing'))).message).toContain(
      'cannot read the folder',
    )
  })

  it('accepts a valid definition from another source', () => {
    const def = parseWorkflowDefinition(shipped('information.json'), 'server')
    expect(def.transitions.find((t) => t.id === 'reject')?.requires).toEqual(['reason'])
  })
})
