/**
 * The Electronegativity step of `npm test` bites: on a main script that turns Node on in a
 * remote page it fails and names the check; the app's own findings are all reviewed.
 */
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

const root = join(__dirname, '..', '..')
const run = (input: string) =>
  spawnSync(process.execPath, [join(root, 'scripts', 'electronegativity.mjs'), '--input', input], {
    encoding: 'utf8',
    timeout: 120_000,
  })

describe('the Electronegativity check', () => {
  it('fails on an unreviewed finding and says which', { timeout: 150_000 }, () => {
    const result = run(join(root, 'tests', 'fixtures', 'electronegativity-unsafe'))
    expect(result.status).toBe(1)
    expect(result.stderr).toMatch(/not reviewed/)
    expect(result.stderr).toMatch(/NODE_INTEGRATION|CONTEXT_ISOLATION/)
  })
})
