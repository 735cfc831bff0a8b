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

/** Open streams allowed at once, per user and per client address (each instance counts its own). */
export const STREAMS_PER_USER = 5;
export const STREAMS_PER_ADDRESS = 20;
/** Missed notifications replayed after Last-Event-ID, at most. */
const REPLAY_LIMIT = 100;

export interface StreamOptions {
  /** Whether user.updated said the user is blocked: they may not open a stream. */
  isBlocked: (userId: string) => Promise<boolean>;
  /** What arrived for the user after the notification `afterId`, oldest first. */
  missedSince: (userId: string, afterId: string, limit: number) => Promise<Notification[]>;
  heartbeatMs?: number | undefined;
  perUser?: number;
  perAddress?: number;
}

export function registerStreamRoutes(
  app: ServiceApp,
  verifier: AccessTokenVerifier,
  hub: NotificationHub,
  options: StreamOptions,
): void {
  const heartbeatMs = options.heartbeatMs ?? HEARTBEAT_MS;
  const open = { perUser: new Map<string, number>(), perAddress: new Map<string, number>() };
  const limits = {
    perUser: options.perUser ?? STREAMS_PER_USER,
    perAddress: options.perAddress ?? STREAMS_PER_ADDRESS,
  };
  app.get(
    '/api/notifications/stream',
    {
      onRequest: authenticate(verifier, undefined, { queryParam: 'access_token' }),
      schema: {
        operationId: 'streamNotifications',
        summary: "Server-Sent Events: the caller's new notifications as they arrive",
        description:
          'Each event is `id: <notification id>` and `data: <notification JSON>` (the default ' +
          '`message` event); comment lines are heartbeats. The token may also be given as ' +
          '`?access_token=`, since EventSource cannot send headers. A reconnect with ' +
          '`Last-Event-ID` first gets what arrived after that notification (up to 100). A ' +
          'blocked user gets 403 `account-blocked`, and their open streams end when they are ' +
          'blocked; a stream ends when its token expires (reconnect with a fresh one). More than ' +
          `${STREAMS_PER_USER} streams of one user, or ${STREAMS_PER_ADDRESS} from one address, ` +
          'get 429 `too-many-streams`.',
        tags: ['notifications'],
        security: [{ bearer: [] }],
        querystring: NotificationStreamQuerySchema,
        response: {
          200: { content: { 'text/event-stream': { schema: NotificationStreamSchema } } },
          ...problemResponses(401, 403, 429),
        },
      },
    },
    async (request, reply) => {
      const { userId, exp } = currentUser(request);
      if (await options.isBlocked(userId)) throw NotificationErrors.accountBlocked();
      const address = request.ip;
      if (
        (open.perUser.get(userId) ?? 0) >= limits.perUser ||
        (open.perAddress.get(address) ?? 0) >= limits.perAddress
      )
        throw NotificationErrors.tooManyStreams();
      const lastEventId = request.headers['last-event-id'];
      const missed =
        typeof lastEventId === 'string' && /^[0-9a-f-]{36}$/i.test(lastEventId)
          ? await options.missedSince(userId, lastEventId, REPLAY_LIMIT)
          : [];
      count(open.perUser, userId, +1);
      count(open.perAddress, address, +1);
      openStream(
        request,
        reply,
        hub,
        { userId, expiresAt: exp * 1000, missed, heartbeatMs },
        () => {
          count(open.perUser, userId, -1);
          count(open.perAddress, address, -1);
        },
      );
    },
  );
}

function count(map: Map<string, number>, key: string, delta: number): void {
  const next = (map.get(key) ?? 0) + delta;
  if (next > 0) map.set(key, next);
  else map.delete(key);
}

function openStream(
  request: FastifyRequest,
  reply: FastifyReply,
  hub: NotificationHub,
  stream: { userId: string; expiresAt: number; missed: Notification[]; heartbeatMs: number },
  onClose: () => void,
): void {
  const { userId, heartbeatMs } = stream;
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

  // Subscribed before the missed ones are written, so nothing falls between the two; an id
  // sent once (replayed, then pushed live) is not sent again.
  const sent = new Set<string>();
  const send = (notification: Notification): void => {
    if (sent.has(notification.id)) return;
    sent.add(notification.id);
    raw.write(`id: ${notification.id}\ndata: ${JSON.stringify(notification)}\n\n`);
  };
  const unsubscribe = hub.subscribe(userId, { send, close: () => raw.end() });
  for (const notification of stream.missed) send(notification);
  const heartbeat = setInterval(() => raw.write(': heartbeat\n\n'), heartbeatMs);
  // The token's time is the stream's: the client reconnects with a fresh one (and its last id).
  const expiry = setTimeout(() => raw.end(), Math.max(0, stream.expiresAt - Date.now()));
  request.log.info({ userId, replayed: stream.missed.length }, 'notification stream opened');

  raw.once('close', () => {
    clearInterval(heartbeat);
    clearTimeout(expiry);
    unsubscribe();
    onClose();
    request.log.info({ userId }, 'notification stream closed');
  });
}
