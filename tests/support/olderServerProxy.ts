/**
 * A server from before the snapshot (issue 16), made from today's: a proxy that answers 404
 * to `/api/v1/snapshot` as an older server does and passes everything else on untouched
 * (the nudge stream included, piped live). It lists the paths it was asked for.
 */
import { createServer, request as httpRequest } from 'node:http'
import type { Socket } from 'node:net'
import { forwardableHeaders } from './forwarding'

export async function startOlderServerProxy(upstream: string) {
  const target = new URL(upstream)
  const paths: string[] = []
  const sockets = new Set<Socket>()
  const server = createServer((req, res) => {
    paths.push(req.url ?? '')
    if ((req.url ?? '').startsWith('/api/v1/snapshot')) {
      res.writeHead(404, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ error: { code: 'not_found', message: 'Ressource inconnue.' } }))
      return
    }
    const out = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: forwardableHeaders(req.headers),
      },
      (upstreamRes) => {
        res.writeHead(upstreamRes.statusCode ?? 502, forwardableHeaders(upstreamRes.headers))
        upstreamRes.pipe(res)
      },
    )
    out.on('error', () => res.destroy())
    req.pipe(out)
  })
  server.on('connection', (s: Socket) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  return {
    url: `http://127.0.0.1:${port}`,
    paths,
    async close() {
      for (const s of sockets) s.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
