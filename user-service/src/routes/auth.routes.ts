import { Type } from 'typebox';
import {
  JwksSchema,
  LoginBodySchema,
  LoginResponseSchema,
  problemResponses,
  RefreshBodySchema,
  RefreshResponseSchema,
  RegisterBodySchema,
  RegisterResponseSchema,
} from '@marketplace/contracts';
import { authenticate, currentUser, type AccessTokenVerifier } from '@marketplace/jwt';
import { AppError, type ServiceApp } from '@marketplace/service-kit';
import type { AuthService } from '../domain/auth.service.ts';
import { UserErrors } from '../domain/errors.ts';
import type { SigningKeys } from '../domain/signing-keys.ts';
import { clientOf } from './client-context.ts';
import { TRANSPORT_HEADER, type SessionTransport } from './session-transport.ts';

const tags = ['auth'];

const COOKIE_MODE =
  `With \`${TRANSPORT_HEADER}: cookie\` (browsers) the refresh token is set in the HttpOnly ` +
  'cookie `mp_refresh` (Path=/api/auth) and left out of the body.';

export interface AuthRouteDeps {
  auth: AuthService;
  keys: SigningKeys;
  transport: SessionTransport;
  verifier: AccessTokenVerifier;
}

export function registerAuthRoutes(app: ServiceApp, deps: AuthRouteDeps): void {
  const { auth, transport } = deps;
  app.post(
    '/api/auth/register',
    {
      onRequest: transport.guard,
      schema: {
        operationId: 'register',
        summary: 'Creates a buyer or seller account and opens a session',
        description: COOKIE_MODE,
        tags,
        security: [],
        body: RegisterBodySchema,
        response: { 201: RegisterResponseSchema, ...problemResponses(400, 403, 409, 503) },
      },
    },
    async (request, reply) => {
      const session = await auth.register(
        request.body,
        request.id,
        clientOf(request, reply).signal,
      );
      return reply.code(201).send(transport.send(request, reply, session));
    },
  );

  app.post(
    '/api/auth/login',
    {
      onRequest: transport.guard,
      schema: {
        operationId: 'login',
        summary: 'Opens a session with e-mail and password',
        description:
          'Repeated failures are throttled with growing delays (429 with Retry-After); a full ' +
          `hash queue is 503 busy with Retry-After. ${COOKIE_MODE}`,
        tags,
        security: [],
        body: LoginBodySchema,
        response: {
          200: LoginResponseSchema,
          ...problemResponses(400, 401, 403, 429, 503),
        },
      },
    },
    async (request, reply) =>
      transport.send(request, reply, await auth.login(request.body, clientOf(request, reply))),
  );

  app.post(
    '/api/auth/refresh',
    {
      onRequest: transport.guard,
      schema: {
        operationId: 'refreshSession',
        summary: 'Exchanges a refresh token for a new pair; the old one is spent',
        description:
          'Presenting a spent refresh token revokes every token of its session. Without a body ' +
          `token, the refresh cookie is used (only with \`${TRANSPORT_HEADER}: cookie\`, else 403 ` +
          `csrf-refused). ${COOKIE_MODE}`,
        tags,
        security: [],
        body: RefreshBodySchema,
        response: {
          200: RefreshResponseSchema,
          ...problemResponses(400, 401, 403),
        },
      },
    },
    async (request, reply) => {
      const token = transport.tokenOf(request, request.body.refreshToken);
      if (token === undefined) {
        throw transport.usesCookie(request)
          ? UserErrors.invalidRefreshToken()
          : UserErrors.refreshTokenMissing();
      }
      try {
        return transport.send(request, reply, await auth.refresh(token));
      } catch (error) {
        // A refused token stays refused, so the browser may forget it; a 5xx keeps it.
        if (error instanceof AppError && error.status < 500) transport.clear(request, reply);
        throw error;
      }
    },
  );

  app.post(
    '/api/auth/logout',
    {
      onRequest: transport.guard,
      schema: {
        operationId: 'logout',
        summary: 'Ends the session of a refresh token',
        description:
          'Without a body token, the refresh cookie is used (as for refresh) and cleared.',
        tags,
        security: [],
        body: RefreshBodySchema,
        response: { 204: Type.Null(), ...problemResponses(400, 403) },
      },
    },
    async (request, reply) => {
      const token = transport.tokenOf(request, request.body.refreshToken);
      if (token === undefined && !transport.usesCookie(request)) {
        throw UserErrors.refreshTokenMissing();
      }
      if (token !== undefined) await auth.logout(token);
      transport.clear(request, reply);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/api/auth/logout-all',
    {
      onRequest: authenticate(deps.verifier),
      schema: {
        operationId: 'logoutAll',
        summary: 'Ends every session of the caller, on every device',
        tags,
        security: [{ bearer: [] }],
        response: { 204: Type.Null(), ...problemResponses(401, 403) },
      },
    },
    async (request, reply) => {
      await auth.logoutAll(currentUser(request).userId);
      transport.clear(request, reply);
      return reply.code(204).send(null);
    },
  );

  // The same keys at the gateway's public path and at the well-known one services fetch.
  const jwksRoutes = [
    { url: '/api/auth/jwks', operationId: 'getJwks' },
    { url: '/.well-known/jwks.json', operationId: 'getWellKnownJwks' },
  ];
  for (const { url, operationId } of jwksRoutes) {
    const schema = {
      operationId,
      summary: 'The public keys that verify access tokens (JWKS)',
      tags,
      security: [],
      response: { 200: JwksSchema },
    };
    app.get(url, { schema }, async (_request, reply) => {
      reply.header('cache-control', 'public, max-age=300');
      return deps.keys.jwks();
    });
  }
}
