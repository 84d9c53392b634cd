import { describe, expect, it } from 'vitest'
import { createLocalProvider } from '../../src/core/directory/local'
import { hashPassword, verifyPassword } from '../../src/core/directory/password'

describe('local accounts', () => {
  it('stores scrypt verifiers, never the password', async () => {
    const hash = await hashPassword('s3cret!', 1024)
    expect(hash).toMatch(/^scrypt\$1024\$8\$1\$/)
    expect(hash).not.toContain('s3cret')
    expect(await verifyPassword('s3cret!', hash)).toBe(true)
    expect(await verifyPassword('s3cret', hash)).toBe(false)
    expect(await verifyPassword('s3cret!', 'scrypt$garbage')).toBe(false)
  })

  it('logs in with roles and teams, refuses wrong, empty and unknown credentials alike', async () => {
    const provider = createLocalProvider([
      {
        login: 'zoe.agent',
        displayName: 'Zoé Martin',
        roles: ['agent'],
        teamIds: ['voirie'],
        passwordHash: await hashPassword('demo', 1024),
        disabled: false,
      },
    ])
    await expect(provider.authenticate('Zoe.Agent', 'demo')).resolves.toMatchObject({
      login: 'zoe.agent',
      roles: ['agent'],
      teamIds: ['voirie'],
      kind: 'online',
    })
    await expect(provider.authenticate('zoe.agent', 'wrong')).rejects.toMatchObject({
      code: 'bad_credentials',
    })
    await expect(provider.authenticate('zoe.agent', '')).rejects.toMatchObject({ code: 'bad_credentials' })
    await expect(provider.authenticate('nobody', 'demo')).rejects.toMatchObject({ code: 'bad_credentials' })
  })
})
