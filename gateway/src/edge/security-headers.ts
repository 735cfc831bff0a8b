import type { FastifyInstance } from 'fastify';
import helmet from '@fastify/helmet';

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

/**
 * Security headers on every answer of the gateway (helmet), with the SPA's Content-Security-Policy
 * on pages and assets and a deny-all one on `/api` routes. Register before any route.
 */
export async function registerSecurityHeaders(
  app: FastifyInstance,
  options: SecurityHeadersOptions,
): Promise<void> {
  const apiHelmet = { contentSecurityPolicy: { useDefaults: false, directives: API_CSP } };
  app.addHook('onRoute', (route) => {
    // Runs before helmet's own onRoute hook, which reads this option.
    if (route.url.startsWith('/api/')) route.helmet = apiHelmet;
  });
  await app.register(helmet, {
    contentSecurityPolicy: { useDefaults: false, directives: SPA_CSP },
    // Paths (order ids, product ids) never leave the site; other sites see the origin only.
    referrerPolicy: { policy: 'strict-origin-when-cross-origin' },
    xFrameOptions: { action: 'deny' },
    strictTransportSecurity:
      options.hstsMaxAge > 0 ? { maxAge: options.hstsMaxAge, includeSubDomains: true } : false,
  });
}
