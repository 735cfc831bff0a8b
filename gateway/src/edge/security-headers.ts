import type { FastifyInstance } from 'fastify';

type Directives = Record<string, string[]>;

/**
 * The SPA's policy: everything from the gateway's own origin, nothing inline (the Vite build has
 * no inline script or style). Product images may be any https URL a seller gives: an image cannot
 * run script, and hosting them elsewhere is normal for a marketplace.
 */
export const SPA_CSP: Directives = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'style-src': ["'self'"],
  'img-src': ["'self'", 'data:', 'https:'],
  'font-src': ["'self'"],
  'connect-src': ["'self'"],
  'object-src': ["'none'"],
  'base-uri': ["'self'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
};

/** JSON and problem answers are never a document: they may load nothing and be framed nowhere. */
export const API_CSP: Directives = {
  'default-src': ["'none'"],
  'frame-ancestors': ["'none'"],
};

export interface SecurityHeadersOptions {
  /** Strict-Transport-Security's max-age in seconds; 0 sends no HSTS (the edge is not on TLS). */
  hstsMaxAge: number;
}

function policy(directives: Directives): string {
  return Object.entries(directives)
    .map(([name, values]) => `${name} ${values.join(' ')}`)
    .join(';');
}

/**
 * The headers helmet's defaults send (OWASP's secure headers), with our CSP, referrer policy and
 * frame denial: the same on every answer, so they are built once, not per request.
 */
function headerSet(csp: Directives, hstsMaxAge: number): Record<string, string> {
  return {
    'content-security-policy': policy(csp),
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    'origin-agent-cluster': '?1',
    // Paths (order ids, product ids) never leave the site; other sites see the origin only.
    'referrer-policy': 'strict-origin-when-cross-origin',
    ...(hstsMaxAge > 0
      ? { 'strict-transport-security': `max-age=${hstsMaxAge}; includeSubDomains` }
      : {}),
    'x-content-type-options': 'nosniff',
    'x-dns-prefetch-control': 'off',
    'x-download-options': 'noopen',
    'x-frame-options': 'DENY',
    'x-permitted-cross-domain-policies': 'none',
    'x-xss-protection': '0',
  };
}

/**
 * Security headers on every answer of the gateway, with the SPA's Content-Security-Policy on pages
 * and assets and a deny-all one on `/api` routes. Precomputed: helmet's per-request middleware
 * cost the gateway about a tenth of its throughput (bench/gateway.bench.ts).
 */
export function registerSecurityHeaders(
  app: FastifyInstance,
  options: SecurityHeadersOptions,
): void {
  const spa = headerSet(SPA_CSP, options.hstsMaxAge);
  const api = headerSet(API_CSP, options.hstsMaxAge);
  app.addHook('onRequest', (request, reply, done) => {
    reply.headers(request.url.startsWith('/api/') ? api : spa);
    done();
  });
}
