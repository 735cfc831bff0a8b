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
import type { ServiceApp } from '@marketplace/service-kit';
import type { AuthService } from '../domain/auth.service.ts';
import type { SigningKeys } from '../domain/signing-keys.ts';

const tags = ['auth'];

export function registerAuthRoutes(app: ServiceApp, auth: AuthService, keys: SigningKeys): void {
  app.post(
    '/api/auth/register',
    {
      schema: {
        summary: 'Creates a buyer or seller account and opens a session',
        tags,
        body: RegisterBodySchema,
        response: { 201: RegisterResponseSchema, ...problemResponses(400, 409) },
      },
    },
    async (request, reply) => reply.code(201).send(await auth.register(request.body, request.id)),
  );

  app.post(
    '/api/auth/login',
    {
      schema: {
        summary: 'Opens a session with e-mail and password',
        description: 'Repeated failures for one e-mail are throttled (429 with Retry-After).',
        tags,
        body: LoginBodySchema,
        response: {
          200: LoginResponseSchema,
          ...problemResponses(400, 401, 403, 429),
        },
      },
    },
    async (request) => auth.login(request.body),
  );

  app.post(
    '/api/auth/refresh',
    {
      schema: {
        summary: 'Exchanges a refresh token for a new pair; the old one is spent',
        description: 'Presenting a spent refresh token revokes every token of its session.',
        tags,
        body: RefreshBodySchema,
        response: {
          200: RefreshResponseSchema,
          ...problemResponses(400, 401, 403),
        },
      },
    },
    async (request) => auth.refresh(request.body.refreshToken),
  );

  app.post(
    '/api/auth/logout',
    {
      schema: {
        summary: 'Ends the session of a refresh token',
        tags,
        body: RefreshBodySchema,
        response: { 204: Type.Null(), ...problemResponses(400) },
      },
    },
    async (request, reply) => {
      await auth.logout(request.body.refreshToken);
      return reply.code(204).send(null);
    },
  );

  const jwks = {
    schema: {
      summary: 'The public keys that verify access tokens (JWKS)',
      tags,
      response: { 200: JwksSchema },
    },
  };
  for (const url of ['/api/auth/jwks', '/.well-known/jwks.json']) {
    app.get(url, jwks, async (_request, reply) => {
      reply.header('cache-control', 'public, max-age=300');
      return keys.jwks();
    });
  }
}
