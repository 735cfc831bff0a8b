import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Problem } from '@marketplace/contracts';
import { createEnvelope } from '@marketplace/events';
import { waitFor } from '@marketplace/testing';
import { startHarness, type Harness } from './harness.ts';
import { StreamReader } from './sse.ts';

describe('notification-service: live stream (SSE)', () => {
  let h: Harness;
  let base: string;

  beforeAll(async () => {
    h = await startHarness('notif_stream');
    const address = await h.app.listen({ port: 0, host: '127.0.0.1' });
    base = address;
  });

  afterAll(async () => {
    await h.close();
  });

  it('when a notification is stored for a connected user, then it arrives on the stream', async () => {
    const buyerId = randomUUID();
    const token = await h.tokens.sign(buyerId, 'buyer');
    const abort = new AbortController();
    const response = await fetch(`${base}/api/notifications/stream?access_token=${token}`, {
      signal: abort.signal,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const stream = new StreamReader(response.body!);
    await stream.until(': connected');

    await h.publish('order.status_changed', {
      orderId: randomUUID(),
      buyerId,
      sellerId: randomUUID(),
      from: 'shipped',
      to: 'delivered',
      note: null,
    });
    await stream.until('Your order was delivered');
    expect(stream.events()).toEqual([
      expect.objectContaining({
        type: 'order.delivered',
        readAt: null,
        title: 'Your order was delivered',
      }),
    ]);
    await stream.until(': heartbeat');

    abort.abort();
    await stream.ended();
    await waitFor(() => (h.hub.size === 0 ? true : undefined), { what: 'the stream cleaned up' });
  });

  it('when the token comes in the Authorization header, then only that user’s notifications arrive', async () => {
    const [me, other] = [randomUUID(), randomUUID()];
    const abort = new AbortController();
    const response = await fetch(`${base}/api/notifications/stream`, {
      headers: { authorization: await h.tokens.bearer(me, 'seller') },
      signal: abort.signal,
    });
    expect(response.status).toBe(200);
    const stream = new StreamReader(response.body!);
    await stream.until(': connected');

    await h.publish('user.registered', {
      userId: other,
      email: 'o@b.test',
      name: 'Other',
      role: 'buyer',
    });
    await h.publish('user.registered', {
      userId: me,
      email: 'm@b.test',
      name: 'Me',
      role: 'seller',
    });
    await stream.until('Me!');
    expect(stream.events()).toHaveLength(1);
    abort.abort();
    await stream.ended();
  });

  it('when a user is blocked, then their live streams end and cannot reopen until unblocked, others stay open, and nothing is stored', async () => {
    const [blocked, bystander] = [randomUUID(), randomUUID()];
    const open = async (userId: string) => {
      const response = await fetch(`${base}/api/notifications/stream`, {
        headers: { authorization: await h.tokens.bearer(userId, 'buyer') },
      });
      const stream = new StreamReader(response.body!);
      await stream.until(': connected');
      return stream;
    };
    const [first, second, other] = [
      await open(blocked),
      await open(blocked),
      await open(bystander),
    ];
    const user = { userId: blocked, name: 'Blocked', language: 'en', role: 'buyer' } as const;

    // A change that does not block (a rename) leaves the streams alone.
    await h.publish('user.updated', { ...user, blocked: false });
    await h.publish('user.updated', { ...user, blocked: true });
    await first.ended();
    await second.ended();
    expect(h.hub.sizeOf(blocked)).toBe(0);
    expect(h.hub.sizeOf(bystander)).toBe(1);
    // Their token is still valid, but a reconnect is refused until they are unblocked.
    const reconnect = await fetch(`${base}/api/notifications/stream`, {
      headers: { authorization: await h.tokens.bearer(blocked, 'buyer') },
    });
    expect(reconnect.status).toBe(403);
    expect(((await reconnect.json()) as Problem).code).toBe('account-blocked');
    await h.publish('user.updated', { ...user, blocked: false });
    const back = await waitFor(
      async () => {
        const response = await fetch(`${base}/api/notifications/stream`, {
          headers: { authorization: await h.tokens.bearer(blocked, 'buyer') },
        });
        if (response.status === 200) return new StreamReader(response.body!);
        await response.body?.cancel();
        return undefined;
      },
      { what: 'the unblocked user to stream again' },
    );
    await back.until(': connected');

    const list = await h.app.inject({
      url: '/api/notifications',
      headers: { authorization: await h.tokens.bearer(blocked, 'buyer') },
    });
    expect(list.json<{ items: unknown[] }>().items).toEqual([]);
    await h.publish('user.registered', {
      userId: bystander,
      email: 'b@b.test',
      name: 'Bystander',
      role: 'buyer',
    });
    await other.until('Bystander!');
    expect(other.events()).toHaveLength(1);
  });

  it('when an unblock arrives before the older block, then the user stays unblocked', async () => {
    const userId = randomUUID();
    const user = { userId, name: 'Late', language: 'en', role: 'buyer' } as const;
    const now = Date.now();
    // The consumer handles events side by side: wait for each to be done before the next.
    const handled = (eventId: string) =>
      waitFor(
        async () =>
          (await h.db
            .selectFrom('processed_events')
            .select('event_id')
            .where('event_id', '=', eventId)
            .executeTakeFirst()) ?? undefined,
        { what: `event ${eventId} handled` },
      );
    const unblock = {
      ...createEnvelope('user.updated', { ...user, blocked: false }, 'req-unblock'),
      occurredAt: new Date(now).toISOString(),
    };
    await h.publishEnvelope(unblock);
    await handled(unblock.id);
    const block = {
      ...createEnvelope('user.updated', { ...user, blocked: true }, 'req-block'),
      occurredAt: new Date(now - 1000).toISOString(),
    };
    await h.publishEnvelope(block);
    await handled(block.id);
    const response = await fetch(`${base}/api/notifications/stream`, {
      headers: { authorization: await h.tokens.bearer(userId, 'buyer') },
    });
    expect(response.status).toBe(200);
    await response.body?.cancel();
  });

  it('when no or a bad token is given, then the stream is 401', async () => {
    const none = await fetch(`${base}/api/notifications/stream`);
    expect(none.status).toBe(401);
    expect(none.headers.get('content-type')).toContain('application/problem+json');
    expect(((await none.json()) as Problem).code).toBe('unauthorized');
    const bad = await fetch(`${base}/api/notifications/stream?access_token=garbage`);
    expect(bad.status).toBe(401);
    expect(((await bad.json()) as Problem).code).toBe('invalid-token');
  });

  it('when the app closes, then open streams are ended', async () => {
    const response = await fetch(`${base}/api/notifications/stream`, {
      headers: { authorization: await h.tokens.bearer(randomUUID(), 'buyer') },
    });
    const stream = new StreamReader(response.body!);
    await stream.until(': connected');
    h.hub.closeAll();
    await stream.ended();
    expect(h.hub.size).toBe(0);
  });
});
