import {
  AdminUserPatchSchema,
  PasswordChangeBodySchema,
  PasswordChangeResponseSchema,
  problemResponses,
  ProfilePatchSchema,
  IdParamsSchema,
  UserListQuerySchema,
  UserPageSchema,
  UserSchema,
} from '@marketplace/contracts';
import { authenticate, currentUser, type AccessTokenVerifier } from '@marketplace/jwt';
import type { ServiceApp } from '@marketplace/service-kit';
import type { AuthService } from '../domain/auth.service.ts';
import type { UserService } from '../domain/user.service.ts';
import type { SessionTransport } from './session-transport.ts';

const security = [{ bearer: [] }];

export function registerUserRoutes(
  app: ServiceApp,
  verifier: AccessTokenVerifier,
  users: UserService,
  auth: AuthService,
  transport: SessionTransport,
): void {
  const anyUser = authenticate(verifier);
  const tags = ['users'];

  app.get(
    '/api/users/me',
    {
      onRequest: anyUser,
      schema: {
        operationId: 'getMyProfile',
        summary: "The caller's profile",
        tags,
        security,
        response: { 200: UserSchema, ...problemResponses(401, 403, 404) },
      },
    },
    async (request) => users.profile(currentUser(request).userId),
  );

  app.patch(
    '/api/users/me',
    {
      onRequest: anyUser,
      schema: {
        operationId: 'updateMyProfile',
        summary: "Changes the caller's name, phone, address or language (null clears)",
        description: 'Fields outside the schema (e.g. `role`, `blocked`, `email`) are dropped.',
        tags,
        security,
        body: ProfilePatchSchema,
        response: {
          200: UserSchema,
          ...problemResponses(400, 401, 403, 404),
        },
      },
    },
    async (request) => users.updateProfile(currentUser(request).userId, request.body, request.id),
  );

  app.post(
    '/api/users/me/password',
    {
      onRequest: anyUser,
      schema: {
        operationId: 'changeMyPassword',
        summary: "Changes the caller's password",
        description:
          'Ends every session of the account and answers with a new one for the caller (in the ' +
          'refresh cookie with `x-session-transport: cookie`).',
        tags,
        security,
        body: PasswordChangeBodySchema,
        response: {
          200: PasswordChangeResponseSchema,
          ...problemResponses(400, 401, 403, 429),
        },
      },
    },
    async (request, reply) => {
      const session = await auth.changePassword(currentUser(request).userId, request.body);
      return transport.send(request, reply, session);
    },
  );

  registerAdminRoutes(app, verifier, users);
}

function registerAdminRoutes(
  app: ServiceApp,
  verifier: AccessTokenVerifier,
  users: UserService,
): void {
  const adminOnly = authenticate(verifier, ['admin']);
  const tags = ['admin'];

  app.get(
    '/api/users',
    {
      onRequest: adminOnly,
      schema: {
        operationId: 'listUsers',
        summary: 'Every account, newest first, searched and filtered (admin)',
        description:
          '`q` is an e-mail prefix, or (without an `@`) also a part of the name; `role` and ' +
          '`blocked` filter.',
        tags,
        security,
        querystring: UserListQuerySchema,
        response: { 200: UserPageSchema, ...problemResponses(400, 401, 403) },
      },
    },
    async (request) => users.list(request.query),
  );

  app.get(
    '/api/users/:id',
    {
      onRequest: adminOnly,
      schema: {
        operationId: 'getUser',
        summary: 'One account (admin)',
        tags,
        security,
        params: IdParamsSchema,
        response: { 200: UserSchema, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => users.byId(request.params.id),
  );

  app.patch(
    '/api/users/:id',
    {
      onRequest: adminOnly,
      schema: {
        operationId: 'updateUser',
        summary: "Changes a user's role or blocks them (admin)",
        description:
          'A blocked user cannot log in or refresh; their sessions end, and `user.updated` tells ' +
          'the other services (live streams close).',
        tags,
        security,
        params: IdParamsSchema,
        body: AdminUserPatchSchema,
        response: {
          200: UserSchema,
          ...problemResponses(400, 401, 403, 404),
        },
      },
    },
    async (request) =>
      users.adminUpdate(currentUser(request).userId, request.params.id, request.body, request.id),
  );
}
