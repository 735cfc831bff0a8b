import type {
  FastifyReply,
  FastifyRequest,
  HookHandlerDoneFunction,
  RequestPayload,
} from 'fastify';
import { bearerToken, readUser, type AccessTokenVerifier } from '@marketplace/jwt';
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
  // A callback hook, answered at once when the token is in the verifier's cache (nearly every
  // request): the async path's promises cost the gateway a measurable share of its CPU.
  return (request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction): void => {
    const options = pathOf(request.url) === STREAM_PATH ? STREAM_TOKEN : undefined;
    const token = bearerToken(request, options);
    const claims = token === null ? undefined : verifier.cached(token);
    if (token === null || claims) {
      if (claims) request.user = claims;
      done();
      return;
    }
    readUser(verifier, request, options).then(
      () => done(),
      (error: unknown) => {
        request.edgeAuthError = error as AppError;
        done();
      },
    );
  };
}

/** A present token must be valid (even on a public route); other routes need one. */
export function requireAuthentication(
  request: FastifyRequest,
  _reply: FastifyReply,
  payload: RequestPayload,
  done: (error: AppError | null, payload?: RequestPayload) => void,
): void {
  if (request.edgeAuthError) done(request.edgeAuthError);
  else if (request.user || isPublic(request.method, pathOf(request.url))) done(null, payload);
  else done(GatewayErrors.unauthorized());
}
