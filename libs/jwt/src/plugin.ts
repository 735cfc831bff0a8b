import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '@marketplace/service-kit';
import type { Role } from '@marketplace/contracts';
import { InvalidTokenError, type AccessClaims, type AccessTokenVerifier } from './verifier.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by `authenticate`; undefined on routes that do not require it. */
    user?: AccessClaims;
  }
}

export interface TokenSourceOptions {
  /**
   * Also take the token from this query parameter when no Authorization header is sent: browsers'
   * EventSource cannot set headers. Only for such routes; query strings end up in logs and history.
   */
  queryParam?: string;
}

/** The access token a request sends (Authorization: Bearer, else the query parameter), or null. */
export function bearerToken(request: FastifyRequest, options?: TokenSourceOptions): string | null {
  const header = request.headers.authorization;
  if (!header) return options?.queryParam ? queryToken(request, options.queryParam) : null;
  const [scheme, token] = header.split(' ');
  return scheme?.toLowerCase() === 'bearer' && token ? token : null;
}

function queryToken(request: FastifyRequest, name: string): string | null {
  const query = request.query;
  if (typeof query !== 'object' || query === null) return null;
  const value = (query as Record<string, unknown>)[name];
  return typeof value === 'string' && value !== '' ? value : null;
}

/** Reads and verifies the bearer token; sets `request.user` when one is present and valid. */
export async function readUser(
  verifier: AccessTokenVerifier,
  request: FastifyRequest,
  options?: TokenSourceOptions,
): Promise<AccessClaims | undefined> {
  const token = bearerToken(request, options);
  if (!token) return undefined;
  try {
    request.user = await verifier.verify(token);
    return request.user;
  } catch (error) {
    if (error instanceof InvalidTokenError) {
      throw AppError.unauthorized(
        error.reason === 'expired' ? 'token-expired' : 'invalid-token',
        error.message,
        { headers: { 'www-authenticate': `Bearer error="invalid_token"` } },
      );
    }
    throw AppError.unavailable('auth-unavailable', 'Tokens cannot be verified right now.');
  }
}

/**
 * A route `onRequest` hook requiring a valid access token, and one of `roles` when given: it runs
 * before the body is read or validated, so a stranger gets 401 and costs no parsing.
 */
export function authenticate(
  verifier: AccessTokenVerifier,
  roles?: readonly Role[],
  options?: TokenSourceOptions,
) {
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const user = await readUser(verifier, request, options);
    if (!user) {
      throw AppError.unauthorized('unauthorized', 'Authentication is required.', {
        headers: { 'www-authenticate': 'Bearer' },
      });
    }
    if (roles && !roles.includes(user.role))
      throw AppError.forbidden('forbidden', 'You may not do this.');
  };
}

/** The verified caller of a route behind `authenticate`. */
export function currentUser(request: FastifyRequest): AccessClaims {
  if (!request.user) throw AppError.unauthorized('unauthorized', 'Authentication is required.');
  return request.user;
}
