/**
 * The transport's `fetch` through Electron's network stack: Chromium's, so the workstation's
 * proxy settings (PAC, WPAD, authenticated proxies) and certificate store apply, as in the
 * browser a town hall has already configured. Node's fetch knows neither.
 */
import type { Net } from 'electron'

export function netFetch(net: Pick<Net, 'fetch'>): typeof fetch {
  const viaNet = (input: string | URL | Request, init?: RequestInit): Promise<Response> =>
    // net.fetch takes a string or a Request, not a URL; the signal, headers, body and the
    // streamed reply are fetch's own.
    net.fetch(input instanceof URL ? input.href : input, init)
  return viaNet as typeof fetch
}
