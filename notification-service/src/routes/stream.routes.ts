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
/** Notifications read from the feed at a time. */
const PAGE = 100;

/**
 * A user's notifications in the order they were committed (`seq`, a decimal string). A stream
 * follows it by seq: that is what makes a resumed stream miss nothing and send nothing twice,
 * whichever order the live pushes of several instances arrive in.
 */
export interface NotificationFeed {
  /** The seq of the user's latest notification ('0' if none). */
  head(userId: string): Promise<string>;
  /** The seq of the user's notification `id`, or null when it is not theirs. */
  seqOf(userId: string, id: string): Promise<string | null>;
  /** The user's notifications after `afterSeq`, oldest first, at most `limit`. */
  after(
    userId: string,
    afterSeq: string,
    limit: number,
  ): Promise<{ seq: string; notification: Notification }[]>;
}

export interface StreamOptions {
  /** Whether user.updated said the user is blocked: they may not open a stream. */
  isBlocked: (userId: string) => Promise<boolean>;
  feed: NotificationFeed;
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
          '`Last-Event-ID` first gets what arrived after that notification, oldest first; ' +
          'events come in the order they were stored, each once. A ' +
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
      // Subscribed before the feed's position is read, so nothing committed in between is
      // missed: what arrives meanwhile only marks the feed to be read once the stream is open.
      const follower = new FeedFollower(options.feed, userId);
      const unsubscribe = hub.subscribe(userId, follower);
      try {
        await follower.startAfter(lastEventIdOf(request));
      } catch (error) {
        unsubscribe();
        throw error;
      }
      count(open.perUser, userId, +1);
      count(open.perAddress, address, +1);
      openStream(request, reply, follower, { userId, expiresAt: exp * 1000, heartbeatMs }, () => {
        unsubscribe();
        count(open.perUser, userId, -1);
        count(open.perAddress, address, -1);
      });
    },
  );
}

function count(map: Map<string, number>, key: string, delta: number): void {
  const next = (map.get(key) ?? 0) + delta;
  if (next > 0) map.set(key, next);
  else map.delete(key);
}

function lastEventIdOf(request: FastifyRequest): string | undefined {
  const id = request.headers['last-event-id'];
  return typeof id === 'string' && /^[0-9a-f-]{36}$/i.test(id) ? id : undefined;
}

/**
 * One stream's position in its user's feed. Each push (from any instance, in any order) only
 * wakes it; it then sends what the feed holds after the last seq it sent, in seq order. A user's
 * notifications commit in seq order, so once it has sent one it has sent every one before it,
 * and the id the client resumes from (Last-Event-ID) marks exactly what it has.
 */
class FeedFollower {
  private cursor = '0';
  private started = false;
  private reading = false;
  /** A push arrived while reading (or before the stream opened): read once more. */
  private woken = false;
  /** Where events go once the stream is open; null before that and after it closed. */
  private out: StreamOutput | null = null;
  /** Told to close (the user was blocked) before the stream opened. */
  private closed = false;

  constructor(
    private readonly feed: NotificationFeed,
    private readonly userId: string,
  ) {}

  /** From the notification `lastEventId` if it is the user's, else from now. */
  async startAfter(lastEventId: string | undefined): Promise<void> {
    const from = lastEventId === undefined ? null : await this.feed.seqOf(this.userId, lastEventId);
    this.cursor = from ?? (await this.feed.head(this.userId));
    // A resumed stream first gets what it missed.
    if (from !== null) this.woken = true;
    this.started = true;
  }

  /** The hub's: a notification of the user was committed, on this instance or another. */
  arrived(): void {
    this.woken = true;
    void this.read();
  }

  /** The hub's: the user's streams end (they were blocked, or the instance shuts down). */
  close(): void {
    this.closed = true;
    this.out?.end();
  }

  /** Starts sending to `out`. */
  attach(out: StreamOutput): void {
    if (this.closed) return out.end();
    this.out = out;
    void this.read();
  }

  /** The connection closed: nothing more is sent. */
  detach(): void {
    this.out = null;
  }

  private async read(): Promise<void> {
    if (!this.started || this.reading || !this.out) return;
    this.reading = true;
    try {
      while (this.woken && this.out) {
        this.woken = false;
        let page;
        do {
          page = await this.feed.after(this.userId, this.cursor, PAGE);
          // The connection may have closed while the feed was read.
          const out: StreamOutput | null = this.out;
          if (!out) return;
          for (const { seq, notification } of page) {
            this.cursor = seq;
            out.write(`id: ${notification.id}\ndata: ${JSON.stringify(notification)}\n\n`);
          }
        } while (page.length === PAGE);
      }
    } catch (error) {
      this.out?.failed(error);
    } finally {
      this.reading = false;
    }
  }
}

interface StreamOutput {
  write(text: string): void;
  end(): void;
  /** The feed could not be read. */
  failed(error: unknown): void;
}

function openStream(
  request: FastifyRequest,
  reply: FastifyReply,
  follower: FeedFollower,
  stream: { userId: string; expiresAt: number; heartbeatMs: number },
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
  follower.attach({
    write: (text) => raw.write(text),
    end: () => raw.end(),
    // The database is away: the client reconnects with its last id, and gets what it missed.
    failed: (error) => {
      request.log.warn({ err: error, userId }, 'notification stream ended: feed not readable');
      raw.end();
    },
  });
  const heartbeat = setInterval(() => raw.write(': heartbeat\n\n'), heartbeatMs);
  // The token's time is the stream's: the client reconnects with a fresh one (and its last id).
  const expiry = setTimeout(() => raw.end(), Math.max(0, stream.expiresAt - Date.now()));
  request.log.info({ userId }, 'notification stream opened');

  raw.once('close', () => {
    clearInterval(heartbeat);
    clearTimeout(expiry);
    follower.detach();
    onClose();
    request.log.info({ userId }, 'notification stream closed');
  });
}
