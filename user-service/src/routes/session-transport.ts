import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthSession } from '@marketplace/contracts';
import { UserErrors } from '../domain/errors.ts';
import type { IssuedSession } from '../domain/session.ts';

/** The cookie that carries a browser's refresh token. */
export const REFRESH_COOKIE = 'mp_refresh';
/** `x-session-transport: cookie` is how a browser opts in to the cookie. */
export const TRANSPORT_HEADER = 'x-session-transport';
const COOKIE_PATH = '/api/auth';
const DAY_SECONDS = 86_400;

const COOKIE_FLAGS = {
  httpOnly: true,
  secure: true,
  sameSite: 'strict',
  path: COOKIE_PATH,
} as const;

export interface SessionTransportOptions {
  refreshTtlDays: number;
  /** Origins besides the request's own whose pages may use the cookie. */
  allowedOrigins: readonly string[];
}

function firstValue(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  return value?.split(',')[0]?.trim() || undefined;
}

/**
 * How a session reaches the client. Non-browser clients get the refresh token in the body, as the
 * design has it. Browsers opt in to an HttpOnly cookie, so no script can read the token; the body
 * then leaves it out. The cookie is SameSite=Strict, and a request that uses it must carry the
 * opt-in header (which a cross-site form cannot send, and a cross-site script only after a CORS
 * preflight) and, when it says where it comes from, come from this site or an allowed origin.
 */
export class SessionTransport {
  constructor(private readonly options: SessionTransportOptions) {}

  usesCookie(request: FastifyRequest): boolean {
    return request.headers[TRANSPORT_HEADER] === 'cookie';
  }

  /** onRequest of the auth routes: a cookie-mode request from another site is refused. */
  readonly guard = async (request: FastifyRequest): Promise<void> => {
    if (this.usesCookie(request) && !this.fromThisSite(request)) throw UserErrors.csrfRefused();
  };

  /** The answer's body; in cookie mode the refresh token goes into the cookie instead. */
  send(request: FastifyRequest, reply: FastifyReply, session: IssuedSession): AuthSession {
    if (!this.usesCookie(request)) return session;
    reply.setCookie(REFRESH_COOKIE, session.refreshToken, {
      ...COOKIE_FLAGS,
      maxAge: this.options.refreshTtlDays * DAY_SECONDS,
    });
    return { user: session.user, accessToken: session.accessToken, expiresIn: session.expiresIn };
  }

  /**
   * The refresh token of a refresh or logout: the body's, else the cookie's. A cookie without
   * the opt-in header is what a cross-site request would bring, so it is refused.
   */
  tokenOf(request: FastifyRequest, bodyToken: string | undefined): string | undefined {
    if (bodyToken !== undefined) return bodyToken;
    const cookie = request.cookies[REFRESH_COOKIE];
    if (!cookie) return undefined;
    if (!this.usesCookie(request)) throw UserErrors.csrfRefused();
    return cookie;
  }

  /** Tells the browser to forget the cookie (logout, or a refresh token that is dead). */
  clear(request: FastifyRequest, reply: FastifyReply): void {
    if (this.usesCookie(request) || request.cookies[REFRESH_COOKIE] !== undefined) {
      reply.clearCookie(REFRESH_COOKIE, COOKIE_FLAGS);
    }
  }

  /**
   * Browsers send `Origin` on every cross-origin POST and `Sec-Fetch-Site` on all requests. The
   * own origin is the host the browser addressed (the gateway's `X-Forwarded-Host`, which no
   * cross-site page can set without a preflight); the scheme is not compared, since a TLS
   * terminator in front may make it differ.
   */
  private fromThisSite(request: FastifyRequest): boolean {
    if (firstValue(request.headers['sec-fetch-site']) === 'cross-site') return false;
    const origin = firstValue(request.headers.origin);
    if (origin === undefined) return true;
    if (this.options.allowedOrigins.includes(origin)) return true;
    const host = firstValue(request.headers['x-forwarded-host']) ?? request.headers.host;
    try {
      return host !== undefined && new URL(origin).host === host.toLowerCase();
    } catch {
      // `Origin: null` (a sandboxed frame, a file) and anything unparsable.
      return false;
    }
  }
}
