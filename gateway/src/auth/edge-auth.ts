import type { FastifyRequest } from 'fastify';
import { readUser, type AccessTokenVerifier } from '@marketplace/jwt';
import type { AppError } from '@marketplace/service-kit';
import { isPublic, pathOf, STREAM_PATH } from '../proxy/route-table.ts';
import { GatewayErrors } from '../errors.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Why the token sent was refused, held until the rate limit has counted the request. */
    edgeAuthError: AppError | null;
  }
}

const STREAM_TOKEN = { queryParam: 'access_token' };

/**
 * Authentication at the edge, in two steps around the rate limit, which counts a caller by the
 * verified subject and must therefore run between them. First (onRequest) the token, if any, is
 * verified (cached by the verifier) and `request.user` set; a refused one is remembered, so that
 * a request with a bad token is still counted, by its address. Then (`requireAuthentication`)
 * the refusal is answered, as is a missing token on a route that is not public. Services
 * verify the forwarded token again.
 */
export function identifyCaller(verifier: AccessTokenVerifier) {
  return async (request: FastifyRequest): Promise<void> => {
    const options = pathOf(request.url) === STREAM_PATH ? STREAM_TOKEN : undefined;
    try {
      await readUser(verifier, request, options);
    } catch (error) {
      request.edgeAuthError = error as AppError;
    }
  };
}

/** A present token must be valid (even on a public route); other routes need one. */
export async function requireAuthentication(request: FastifyRequest): Promise<void> {
  if (request.edgeAuthError) throw request.edgeAuthError;
  if (request.user || isPublic(request.method, pathOf(request.url))) return;
  throw GatewayErrors.unauthorized();
}
