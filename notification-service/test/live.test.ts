import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventData, Notification, Problem } from '@marketplace/contracts';
import { waitFor } from '@marketplace/testing';
import { startHarness, type Harness } from './harness.ts';
import { StreamReader } from './sse.ts';
import { STREAMS_PER_ADDRESS } from '../src/routes/stream.routes.ts';

describe('notification-service: live streams across instances', () => {
  let h: Harness;
  let first: string;
  let second: { url: string; close: () => Promise<void> };
  const aborts: AbortController[] = [];

  beforeAll(async () => {
    h = await startHarness('live');
    first = await h.app.listen({ port: 0, host: '127.0.0.1' });
    second = await h.anotherInstance();
  });

  afterAll(async () => {
    for (const abort of aborts) abort.abort();
    await second?.close();
    await h?.close();
  });

  async function connect(
    base: string,
    authorization: string,
    lastEventId?: string,
    headers: Record<string, string> = {},
  ) {
    const abort = new AbortController();
    aborts.push(abort);
    const response = await fetch(`${base}/api/notifications/stream`, {
      headers: {
        authorization,
        ...(lastEventId ? { 'last-event-id': lastEventId } : {}),
        ...headers,
      },
      signal: abort.signal,
    });
    const streaming = response.status === 200 && response.body;
    return { response, abort, reader: streaming ? new StreamReader(response.body) : null };
  }

  const order = (buyerId: string): EventData<'order.created'> => ({
    orderId: randomUUID(),
    checkoutId: randomUUID(),
    buyerId,
    sellerId: randomUUID(),
    items: [{ productId: randomUUID(), title: 'Lamp', quantity: 1, priceMinor: 100 }],
    totalMinor: 100,
    currency: 'EUR',
  });

  const placed = (reader: StreamReader) =>
    (reader.events() as Notification[])
      .filter((n) => n.type === 'order.placed')
      .map((n) => n.data.orderId);

  it('when two clients are on different instances, then each gets its own notifications, whichever instance handled the event, and no one else’s', async () => {
    const [ana, ben] = [randomUUID(), randomUUID()];
    const a = await connect(first, await h.tokens.bearer(ana, 'buyer'));
    const b = await connect(second.url, await h.tokens.bearer(ben, 'buyer'));
    await a.reader!.until(': connected');
    await b.reader!.until(': connected');
    const forAna = [order(ana), order(ana), order(ana)];
    const forBen = [order(ben), order(ben), order(ben)];
    // Both instances consume the one queue, taking turns: in this order each instance handles
    // some of Ana's events and some of Ben's (alternating them would keep each on one instance).
    for (const o of [...forAna, ...forBen]) await h.publish('order.created', o);
    await waitFor(
      () => (placed(a.reader!).length === 3 && placed(b.reader!).length === 3 ? true : undefined),
      {
        what: 'three notifications on each stream',
      },
    );
    expect(placed(a.reader!).sort()).toEqual(forAna.map((o) => o.orderId).sort());
    expect(placed(b.reader!).sort()).toEqual(forBen.map((o) => o.orderId).sort());
  });

  it('when a client reconnects with Last-Event-ID, then it first gets what it missed, once', async () => {
    const userId = randomUUID();
    const auth = await h.tokens.bearer(userId, 'buyer');
    const stream = await connect(first, auth);
    const seen = order(userId);
    await h.publish('order.created', seen);
    await waitFor(() => (placed(stream.reader!).length === 1 ? true : undefined), {
      what: 'the first notification',
    });
    const lastId = (stream.reader!.events() as Notification[]).at(-1)!.id;
    stream.abort.abort();

    // Two instances compete for the queue, so two events published together may be stored in
    // either order; each is published once the one before is stored, so arrival order is known.
    const missed = [order(userId), order(userId)];
    for (const [i, o] of missed.entries()) {
      await h.publish('order.created', o);
      await waitFor(async () => {
        const rows = await h.db
          .selectFrom('notifications')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('user_id', '=', userId)
          .execute();
        return Number(rows[0]?.n) === i + 2 ? true : undefined;
      });
    }
    const again = await connect(second.url, auth, lastId);
    await waitFor(() => (placed(again.reader!).length === 2 ? true : undefined), {
      what: 'the missed notifications',
    });
    expect(placed(again.reader!)).toEqual(missed.map((o) => o.orderId));
    expect(again.reader!.text).toContain(`id: `);
  });

  it('when a user opens more streams than allowed, then the next one is 429 too-many-streams, and one closing frees a place', async () => {
    const userId = randomUUID();
    const auth = await h.tokens.bearer(userId, 'buyer');
    const open = [];
    for (let i = 0; i < 5; i++) {
      const s = await connect(first, auth);
      expect(s.response.status).toBe(200);
      open.push(s);
    }
    const refused = await connect(first, auth);
    expect(refused.response.status).toBe(429);
    expect(refused.response.headers.get('content-type')).toContain('application/problem+json');
    expect(refused.response.headers.get('retry-after')).toBe('10');
    expect(((await refused.response.json()) as Problem).code).toBe('too-many-streams');

    open[0]!.abort.abort();
    await waitFor(
      async () => {
        const s = await connect(first, auth);
        if (s.response.status === 200) return true;
        await s.response.body?.cancel();
        return undefined;
      },
      { what: 'a place to free up' },
    );
  });

  it('when one address opens more streams than allowed, whoever signs them, then the next one is 429 too-many-streams', async () => {
    // The client's address as the gateway (a trusted proxy on loopback) forwards it.
    const from = { 'x-forwarded-for': '203.0.113.7' };
    const stranger = async () =>
      connect(second.url, await h.tokens.bearer(randomUUID(), 'buyer'), undefined, from);
    const open = [];
    for (let i = 0; i < STREAMS_PER_ADDRESS; i++) {
      const s = await stranger();
      expect(s.response.status).toBe(200);
      open.push(s);
    }
    const refused = await stranger();
    expect(refused.response.status).toBe(429);
    expect(((await refused.response.json()) as Problem).code).toBe('too-many-streams');
    for (const s of open) s.abort.abort();
  });

  it('when the stream’s token expires, then the stream ends', async () => {
    const token = await h.tokens.shortLived(randomUUID(), 'buyer', 2);
    const stream = await connect(first, `Bearer ${token}`);
    expect(stream.response.status).toBe(200);
    await stream.reader!.until(': connected');
    await waitFor(
      async () => {
        await stream.reader!.ended();
        return true;
      },
      { what: 'the stream to end', timeoutMs: 6_000 },
    );
  });
});
