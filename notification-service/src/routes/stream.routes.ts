import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  NotificationStreamQuerySchema,
  NotificationStreamSchema,
  problemResponses,
  type Notification,
} from '@marketplace/contracts';
import type { ServiceApp } from '@marketplace/service-kit';
import { authenticate, currentUser, type AccessTokenVerifier } from '@marketplace/jwt';
import { NotificationErrors } from '../domain/errors.ts';
import type { NotificationHub } from '../live/notification.hub.ts';

/** Comment lines at this interval keep proxies and browsers from closing an idle stream. */
export const HEARTBEAT_MS = 15_000;
/** How long a browser waits before reconnecting a dropped stream. */
const RETRY_MS = 3_000;

export function registerStreamRoutes(
  app: ServiceApp,
  verifier: AccessTokenVerifier,
  hub: NotificationHub,
  options: {
    /** Whether user.updated said the user is blocked: they may not open a stream. */
    isBlocked: (userId: string) => Promise<boolean>;
    heartbeatMs?: number | undefined;
  },
): void {
  const heartbeatMs = options.heartbeatMs ?? HEARTBEAT_MS;
  app.get(
    '/api/notifications/stream',
    {
      onRequest: authenticate(verifier, undefined, { queryParam: 'access_token' }),
      schema: {
        summary: "Server-Sent Events: the caller's new notifications as they arrive",
        description:
          'Each event is `id: <notification id>` and `data: <notification JSON>` (the default ' +
          '`message` event); comment lines are heartbeats. The token may also be given as ' +
          '`?access_token=`, since EventSource cannot send headers. A blocked user gets 403 ' +
          '`account-blocked`, and their open streams end when they are blocked.',
        tags: ['notifications'],
        security: [{ bearer: [] }],
        querystring: NotificationStreamQuerySchema,
        response: {
          200: { content: { 'text/event-stream': { schema: NotificationStreamSchema } } },
          ...problemResponses(401, 403),
        },
      },
    },
    async (request, reply) => {
      const { userId } = currentUser(request);
      if (await options.isBlocked(userId)) throw NotificationErrors.accountBlocked();
      openStream(request, reply, hub, userId, heartbeatMs);
    },
  );
}

function openStream(
  request: FastifyRequest,
  reply: FastifyReply,
  hub: NotificationHub,
  userId: string,
  heartbeatMs: number,
): void {
  // The response is written by hand from here on; Fastify neither serializes nor ends it.
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, {
    'x-request-id': request.id,
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  raw.write(`retry: ${RETRY_MS}\n: connected\n\n`);

  const send = (notification: Notification): void => {
    raw.write(`id: ${notification.id}\ndata: ${JSON.stringify(notification)}\n\n`);
  };
  const unsubscribe = hub.subscribe(userId, { send, close: () => raw.end() });
  const heartbeat = setInterval(() => raw.write(': heartbeat\n\n'), heartbeatMs);
  request.log.info({ userId }, 'notification stream opened');

  raw.once('close', () => {
    clearInterval(heartbeat);
    unsubscribe();
    request.log.info({ userId }, 'notification stream closed');
  });
}
