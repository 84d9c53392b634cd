/** `@login` in a comment: the agent named as a word of its own, not inside an address or a longer login. */
import { describe, expect, it } from 'vitest'
import { mentions } from '../../src/main/notifications/producer'

describe('mentions', () => {
  it.each([
    ['@zoe.agent peux-tu rappeler ?', true],
    ['Vu avec @Zoe.Agent, ok.', true],
    ['(@zoe.agent)', true],
    ['Fin de phrase @zoe.agent.', true],
    ['@zoe.agentx', false],
    ['@zoe.agent2 et @zoe.agent-bis', false],
    ['zoe.agent@ville.fr', false],
    ['écrire à contact@zoe.agent.fr', false],
    ['zoe.agent sans arobase', false],
  ])('%s → %s', (body, expected) => {
    expect(mentions(body, 'zoe.agent')).toBe(expected)
  })
})
