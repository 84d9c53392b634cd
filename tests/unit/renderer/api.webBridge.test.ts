import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { ApiError } from '../../../src/renderer/apiError'

// The real api module, over the web bridge transport (no window.grc in happy-dom).
async function freshApi() {
  vi.resetModules()
  return import('../../../src/renderer/api')
}

const fetchMock = vi.fn()

beforeEach(() => {
  sessionStorage.clear()
  fetchMock.mockReset()
  vi.stubGlobal('fetch', fetchMock)
  history.replaceState(null, '', '/')
})
afterEach(() => {
  vi.unstubAllGlobals()
})

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })

describe('web bridge transport', () => {
  it('takes the token from the URL fragment, keeps it for reloads and removes it from the address bar', async () => {
    history.replaceState(null, '', '/?x=1#token=abc-123')
    const api = await freshApi()
    expect(api.captureBridgeToken()).toBe('abc-123')
    expect(location.hash).toBe('')
    expect(location.search).toBe('?x=1')
    expect(sessionStorage.getItem('grc.bridgeToken')).toBe('abc-123')

    const reloaded = await freshApi()
    expect(reloaded.captureBridgeToken()).toBe('abc-123')
  })

  it('posts the input to /api/invoke/<channel> with the bearer token and returns the value', async () => {
    sessionStorage.setItem('grc.bridgeToken', 'tok')
    fetchMock.mockResolvedValue(json(200, { ok: true, value: null }))
    const api = await freshApi()
    await expect(api.invoke('session.current', {})).resolves.toBeNull()
    const [url, init] = fetchMock.mock.calls[0] as [string, RequestInit]
    expect(url).toBe('/api/invoke/session.current')
    expect(init.method).toBe('POST')
    expect((init.headers as Record<string, string>).Authorization).toBe('Bearer tok')
    expect(init.body).toBe('{}')
  })

  it('throws the core’s refusal as an ApiError with its code', async () => {
    sessionStorage.setItem('grc.bridgeToken', 'tok')
    fetchMock.mockResolvedValue(json(200, { ok: false, error: { code: 'bad_credentials', message: 'nope' } }))
    const api = await freshApi()
    const error = (await api
      .invoke('session.login', { login: 'a', password: 'b' })
      .catch((e) => e)) as ApiError
    expect(error).toBeInstanceOf(api.ApiError)
    expect(error.code).toBe('bad_credentials')
  })

  it('tells a refused token and an unreachable core apart', async () => {
    sessionStorage.setItem('grc.bridgeToken', 'tok')
    const api = await freshApi()
    fetchMock.mockResolvedValueOnce(
      json(401, { ok: false, error: { code: 'unauthenticated', message: 'token' } }),
    )
    await expect(api.invoke('session.current', {})).rejects.toMatchObject({ code: 'bridge_token' })
    fetchMock.mockRejectedValueOnce(new TypeError('Failed to fetch'))
    await expect(api.invoke('session.current', {})).rejects.toMatchObject({ code: 'network' })
  })

  it('refuses to call without a token rather than sending an empty one', async () => {
    const api = await freshApi()
    await expect(api.invoke('session.current', {})).rejects.toMatchObject({ code: 'bridge_token' })
    expect(fetchMock).not.toHaveBeenCalled()
  })
})
