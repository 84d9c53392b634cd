/**
 * What counts as resolving a master, so its duplicates follow (issue 14): in each shipped
 * workflow, the closing step with a resolution does; a rejection, a master itself marked a
 * duplicate, or any step to an open state does not.
 */
import { fileURLToPath } from 'node:url'
import { expect, it } from 'vitest'
import { loadWorkflowDefinitions } from '../../src/core/workflow/definitions'
import { resolves } from '../../src/server/store/duplicateFollowers'

const defs = loadWorkflowDefinitions(fileURLToPath(new URL('../../resources/workflows', import.meta.url)))

it('counts only the closing step with a resolution as resolving, in every workflow', () => {
  expect([...defs.keys()].sort()).toEqual(['information', 'intervention'])
  for (const [id, def] of defs) {
    const resolving = def.transitions.filter((t) => resolves(def, t.id)).map((t) => t.id)
    expect(resolving, id).toEqual(['close'])
  }
  const intervention = defs.get('intervention')!
  for (const t of ['reject', 'mark_duplicate', 'finish', 'reopen', 'no_such_step'])
    expect(resolves(intervention, t), t).toBe(false)
})
