/**
 * The one Content-Security-Policy of the renderer, served by the Electron shell (response
 * header + meta) and by the web bridge alike. No inline scripts, no eval, no remote code;
 * `connect-src 'self'` is what lets the web bridge's fetches through and nothing else.
 * Map tiles (a later issue) will extend img-src from the configured base-map origin only.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ')
