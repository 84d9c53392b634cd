import { describe, expect, it } from 'vitest'
import { decideUpdate, restartRefusal } from '../../src/main/update/decision'
import { feedFileName, parseUpdateFeed } from '../../src/main/update/feed'
import { parseConfig } from '../../src/core/config'

const SHA = `${'A'.repeat(86)}==`
const feed = (version: string, url = `grc-console-${version}-x64.exe`) =>
  `version: ${version}\nfiles:\n  - url: ${url}\n    sha512: ${SHA}\n    size: 81234567\npath: ${url}\nsha512: ${SHA}\nreleaseDate: '2026-12-01T10:00:00.000Z'\n`

describe('what the console does about an update', () => {
  const base = { enabled: true, url: 'https://maj.ville.fr/grc', currentVersion: '1.4.0' }

  it('offers a newer version, and only a newer one', () => {
    expect(decideUpdate({ ...base, offered: '1.5.0' })).toEqual({ kind: 'available', version: '1.5.0' })
    expect(decideUpdate({ ...base, offered: '1.4.0' })).toEqual({ kind: 'up_to_date' })
    // An older feed (a server restored from a backup) never downgrades a workstation.
    expect(decideUpdate({ ...base, offered: '1.3.9' })).toEqual({ kind: 'up_to_date' })
    expect(decideUpdate({ ...base, offered: '1.5.0-beta.1' })).toEqual({
      kind: 'available',
      version: '1.5.0-beta.1',
    })
  })

  it('does nothing when IT turned updates off, or named no server', () => {
    expect(decideUpdate({ ...base, enabled: false, offered: '9.0.0' })).toEqual({ kind: 'disabled' })
    expect(decideUpdate({ ...base, url: null, offered: '9.0.0' })).toEqual({ kind: 'unconfigured' })
  })

  it('waits for pending changes before a restart, and says how many', () => {
    expect(restartRefusal(0)).toBeNull()
    expect(restartRefusal(1)).toMatch(/^Une modification attend/)
    expect(restartRefusal(3)).toMatch(/^3 modifications attendent/)
  })

  it('names the feed file as electron-builder writes it, per platform and channel', () => {
    expect(feedFileName('win32', 'stable')).toBe('latest.yml')
    expect(feedFileName('linux', 'stable')).toBe('latest-linux.yml')
    expect(feedFileName('darwin', 'test')).toBe('beta-mac.yml')
  })

  it('reads a feed and refuses what is not one, in words', () => {
    expect(parseUpdateFeed(feed('1.5.0')).version).toBe('1.5.0')
    expect(() => parseUpdateFeed('version: [')).toThrow(/YAML/)
    expect(() => parseUpdateFeed(feed('one-point-five'))).toThrow(/version/)
    // The installer must sit beside the feed: never fetched from another server.
    expect(() => parseUpdateFeed(feed('1.5.0', 'https://ailleurs.example/x.exe'))).toThrow(/files\.0\.url/)
    expect(() => parseUpdateFeed(feed('1.5.0', '../../x.exe'))).toThrow(/files\.0\.url/)
    expect(() => parseUpdateFeed(feed('1.5.0').replaceAll(SHA, 'abc'))).toThrow(/sha512/)
  })

  it('takes the update server from the configuration: none by default, https only', () => {
    const defaults = parseConfig({}, 'test').update
    expect(defaults).toEqual({ url: null, channel: 'stable', enabled: true, checkIntervalHours: 4 })
    expect(() => parseConfig({ update: { url: 'http://maj.ville.fr/grc' } }, 'machine.json')).toThrow(
      /update\.url must use https/,
    )
    expect(parseConfig({ update: { url: 'https://maj.ville.fr/grc/' } }, 'm').update.url).toBe(
      'https://maj.ville.fr/grc',
    )
  })
})
