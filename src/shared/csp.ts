/**
 * The one Content-Security-Policy of the renderer, served by the Electron shell (response
 * header + meta) and by the web bridge alike. No inline scripts, no eval, no remote code;
 * `connect-src 'self'` is what lets the web bridge's fetches through and nothing else.
 * img-src lets in the map's base tiles from their one origin (OpenStreetMap's tile server)
 * and nothing else; a configurable base map will put its own origin there instead.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob: https://tile.openstreetmap.org",
  "font-src 'self'",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ')
