import type { FastifyRequest } from 'fastify';
import { readUser, type AccessTokenVerifier } from '@marketplace/jwt';
import { isPublic, pathOf, STREAM_PATH } from '../proxy/route-table.ts';
import { GatewayErrors } from '../errors.ts';

/**
 * Authentication at the edge: a present token must be valid (even on a public route), and every
 * route that is not public needs one. Services verify the forwarded token again.
 */
export function edgeAuthentication(verifier: AccessTokenVerifier) {
  return async (request: FastifyRequest): Promise<void> => {
    const path = pathOf(request.url);
    const options = path === STREAM_PATH ? { queryParam: 'access_token' } : undefined;
    const user = await readUser(verifier, request, options);
    if (user || isPublic(request.method, path)) return;
    throw GatewayErrors.unauthorized();
  };
}
