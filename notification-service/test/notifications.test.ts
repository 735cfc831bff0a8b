import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  EventData,
  Notification,
  NotificationPage,
  Problem,
  UnreadCount,
} from '@marketplace/contracts';
import { createEnvelope } from '@marketplace/events';
import { waitFor } from '@marketplace/testing';
import { startHarness, type Harness } from './harness.ts';

describe('notification-service: notifications from events', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness('notifications');
  });

  afterAll(async () => {
    await h.close();
  });

  async function list(userId: string, query = ''): Promise<NotificationPage> {
    const response = await h.app.inject({
      method: 'GET',
      url: `/api/notifications${query}`,
      headers: { authorization: await h.tokens.bearer(userId, 'buyer') },
    });
    expect(response.statusCode).toBe(200);
    return response.json<NotificationPage>();
  }

  async function unreadCount(userId: string): Promise<number> {
    const response = await h.app.inject({
      method: 'GET',
      url: '/api/notifications/unread-count',
      headers: { authorization: await h.tokens.bearer(userId, 'buyer') },
    });
    expect(response.statusCode).toBe(200);
    return response.json<UnreadCount>().count;
  }

  /** Polls the list until `count` notifications of `userId` are there. */
  function waitForCount(userId: string, count: number): Promise<Notification[]> {
    return waitFor(
      async () => {
        const { items } = await list(userId, '?limit=100');
        return items.length >= count ? items : undefined;
      },
      { what: `${count} notifications of ${userId}` },
    );
  }

  function order(buyerId: string, sellerId: string): EventData<'order.created'> {
    return {
      orderId: randomUUID(),
      checkoutId: randomUUID(),
      buyerId,
      sellerId,
      items: [
        { productId: randomUUID(), title: 'Desk lamp', quantity: 2, priceMinor: 1500 },
        { productId: randomUUID(), title: 'Chair', quantity: 1, priceMinor: 1250 },
      ],
      totalMinor: 4250,
      currency: 'EUR',
    };
  }

  it('when a user registers, then they are greeted', async () => {
    const userId = randomUUID();
    await h.publish('user.registered', { userId, email: 'a@b.test', name: 'Ada', role: 'buyer' });
    const [welcome] = await waitForCount(userId, 1);
    expect(welcome).toMatchObject({ type: 'welcome', readAt: null });
    expect(welcome?.title).toContain('Ada');
  });

  it('when an order is created, then its buyer and its seller are notified', async () => {
    const [buyerId, sellerId] = [randomUUID(), randomUUID()];
    const data = order(buyerId, sellerId);
    await h.publish('order.created', data);

    const [buyer] = await waitForCount(buyerId, 1);
    const [seller] = await waitForCount(sellerId, 1);
    expect(buyer).toMatchObject({
      type: 'order.placed',
      title: 'Order placed: 3 items, total €42.50',
      data: { orderId: data.orderId, totalMinor: 4250, currency: 'EUR' },
    });
    expect(seller).toMatchObject({ type: 'order.received' });
    expect(seller?.title).toBe('New order: 3 items, total €42.50');
    expect(Date.parse(buyer?.createdAt ?? '')).not.toBeNaN();
  });

  it('when an order changes status, then the buyer is told with the note; on cancel the seller too', async () => {
    const [buyerId, sellerId] = [randomUUID(), randomUUID()];
    const orderId = randomUUID();
    const change = { orderId, buyerId, sellerId, note: null };
    await h.publish('order.status_changed', { ...change, from: 'created', to: 'confirmed' });
    await waitForCount(buyerId, 1);
    await h.publish('order.status_changed', {
      ...change,
      from: 'confirmed',
      to: 'cancelled',
      note: 'Out of stock, sorry',
    });

    const [cancelled, confirmed] = await waitForCount(buyerId, 2);
    expect(confirmed).toMatchObject({ type: 'order.confirmed', title: 'Your order was confirmed' });
    expect(cancelled).toMatchObject({ type: 'order.cancelled', title: 'Your order was cancelled' });
    expect(cancelled?.body).toContain('Note: Out of stock, sorry');
    const [toSeller] = await waitForCount(sellerId, 1);
    expect(toSeller).toMatchObject({ type: 'order.cancelled', data: { orderId, to: 'cancelled' } });
  });

  it('when an order’s status change arrives before its creation (a replay), then the list still reads in the order things happened', async () => {
    const [buyerId, sellerId] = [randomUUID(), randomUUID()];
    const data = order(buyerId, sellerId);
    const created = createEnvelope('order.created', data, null);
    const confirmed = {
      ...createEnvelope(
        'order.status_changed',
        { orderId: data.orderId, buyerId, sellerId, from: 'created', to: 'confirmed', note: null },
        null,
      ),
      occurredAt: new Date(Date.parse(created.occurredAt) + 1_000).toISOString(),
    };
    await h.publishEnvelope(confirmed);
    await waitForCount(buyerId, 1);
    await h.publishEnvelope(created);

    const [newest, oldest] = await waitForCount(buyerId, 2);
    expect(newest).toMatchObject({ type: 'order.confirmed', createdAt: confirmed.occurredAt });
    expect(oldest).toMatchObject({ type: 'order.placed', createdAt: created.occurredAt });
    const [toSeller] = await waitForCount(sellerId, 1);
    expect(toSeller).toMatchObject({ type: 'order.received' });
  });

  it('when the same event is delivered twice, then it is stored once', async () => {
    const userId = randomUUID();
    const envelope = createEnvelope(
      'user.registered',
      { userId, email: 'dup@b.test', name: 'Dup', role: 'buyer' },
      null,
    );
    await h.publishEnvelope(envelope);
    await h.publishEnvelope(envelope);
    await waitForCount(userId, 1);
    // Delivered after both copies: once it is stored, the second copy has been dealt with.
    await h.publish('order.status_changed', {
      orderId: randomUUID(),
      buyerId: userId,
      sellerId: randomUUID(),
      from: 'confirmed',
      to: 'shipped',
      note: null,
    });
    const items = await waitForCount(userId, 2);
    expect(items.map((n) => n.type).sort()).toEqual(['order.shipped', 'welcome']);
  });

  describe('reading the list', () => {
    const buyerId = randomUUID();
    let all: Notification[];

    beforeAll(async () => {
      for (let i = 0; i < 5; i++) await h.publish('order.created', order(buyerId, randomUUID()));
      all = await waitForCount(buyerId, 5);
    });

    it('when paging with a limit, then every item comes once, newest first', async () => {
      const seen: Notification[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const query = `?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
        const page = await list(buyerId, query);
        seen.push(...page.items);
        cursor = page.nextCursor;
        pages++;
      } while (cursor);
      expect(pages).toBe(3);
      expect(seen.map((n) => n.id)).toEqual(all.map((n) => n.id));
      const times = seen.map((n) => Date.parse(n.createdAt));
      expect([...times].sort((a, b) => b - a)).toEqual(times);
    });

    it('when one is marked read, then it has readAt and drops out of the unread list', async () => {
      const target = all[1];
      const response = await h.app.inject({
        method: 'POST',
        url: `/api/notifications/${target?.id}/read`,
        headers: { authorization: await h.tokens.bearer(buyerId, 'buyer') },
      });
      expect(response.statusCode).toBe(200);
      const read = response.json<Notification>();
      expect(read.id).toBe(target?.id);
      expect(read.readAt).not.toBeNull();

      const unread = await list(buyerId, '?unread=true');
      expect(unread.items.map((n) => n.id)).not.toContain(target?.id);
      expect(unread.items).toHaveLength(4);
      const again = await h.app.inject({
        method: 'POST',
        url: `/api/notifications/${target?.id}/read`,
        headers: { authorization: await h.tokens.bearer(buyerId, 'buyer') },
      });
      expect(again.json<Notification>().readAt).toBe(read.readAt);
    });

    it("when another user marks someone's notification read, then it is 404", async () => {
      const response = await h.app.inject({
        method: 'POST',
        url: `/api/notifications/${all[0]?.id}/read`,
        headers: { authorization: await h.tokens.bearer(randomUUID(), 'buyer') },
      });
      expect(response.statusCode).toBe(404);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(response.json<Problem>().code).toBe('not-found');
      const unread = await list(buyerId, '?unread=true');
      expect(unread.items.map((n) => n.id)).toContain(all[0]?.id);
    });

    it('when all are marked read, then the unread list is empty', async () => {
      const response = await h.app.inject({
        method: 'POST',
        url: '/api/notifications/read-all',
        headers: { authorization: await h.tokens.bearer(buyerId, 'buyer') },
      });
      expect(response.statusCode).toBe(204);
      expect((await list(buyerId, '?unread=true')).items).toEqual([]);
      expect((await list(buyerId, '?unread=false')).items).toHaveLength(5);
    });
  });

  describe('counting the unread ones', () => {
    it('when a user has no notifications, then the unread count is 0', async () => {
      expect(await unreadCount(randomUUID())).toBe(0);
    });

    it("when notifications arrive, then only the caller's unread ones are counted, and reading lowers the count", async () => {
      const [me, other] = [randomUUID(), randomUUID()];
      for (let i = 0; i < 3; i++) await h.publish('order.created', order(me, other));
      const mine = await waitForCount(me, 3);
      await waitForCount(other, 3);
      expect(await unreadCount(me)).toBe(3);

      const read = await h.app.inject({
        method: 'POST',
        url: `/api/notifications/${mine[0]?.id}/read`,
        headers: { authorization: await h.tokens.bearer(me, 'buyer') },
      });
      expect(read.statusCode).toBe(200);
      expect(await unreadCount(me)).toBe(2);

      const readAll = await h.app.inject({
        method: 'POST',
        url: '/api/notifications/read-all',
        headers: { authorization: await h.tokens.bearer(me, 'buyer') },
      });
      expect(readAll.statusCode).toBe(204);
      expect(await unreadCount(me)).toBe(0);
      expect(await unreadCount(other)).toBe(3);
    });
  });

  it('when the OpenAPI document is asked for, then it lists the notification routes', async () => {
    const response = await h.app.inject({ method: 'GET', url: '/openapi.json' });
    expect(response.statusCode).toBe(200);
    const doc = response.json<{ paths: Record<string, unknown> }>();
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/notifications',
        '/api/notifications/{id}/read',
        '/api/notifications/read-all',
        '/api/notifications/unread-count',
        '/api/notifications/stream',
      ]),
    );
  });

  describe('bad requests', () => {
    it('when no token is sent, then the list is 401 problem+json', async () => {
      const response = await h.app.inject({ method: 'GET', url: '/api/notifications' });
      expect(response.statusCode).toBe(401);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(response.json<Problem>().code).toBe('unauthorized');
    });

    it.each([
      ['?cursor=nonsense', 'querystring.cursor', 'invalid-cursor'],
      ['?limit=101', 'querystring.limit', 'validation-error'],
      ['?unread=maybe', 'querystring.unread', 'validation-error'],
    ])('when the query is %s, then 400 names %s (%s)', async (query, field, code) => {
      const response = await h.app.inject({
        method: 'GET',
        url: `/api/notifications${query}`,
        headers: { authorization: await h.tokens.bearer(randomUUID(), 'buyer') },
      });
      expect(response.statusCode).toBe(400);
      const problem = response.json<Problem>();
      expect(problem.code).toBe(code);
      expect(problem.errors?.map((e) => e.field)).toContain(field);
    });

    it('when the id is not a UUID, then marking it read is 400 naming the id', async () => {
      const response = await h.app.inject({
        method: 'POST',
        url: '/api/notifications/not-an-id/read',
        headers: { authorization: await h.tokens.bearer(randomUUID(), 'buyer') },
      });
      expect(response.statusCode).toBe(400);
      expect(response.json<Problem>().code).toBe('validation-error');
      expect(response.json<Problem>().errors?.[0]?.field).toBe('params.id');
    });

    it('when the id is unknown, then marking it read is 404', async () => {
      const response = await h.app.inject({
        method: 'POST',
        url: `/api/notifications/${randomUUID()}/read`,
        headers: { authorization: await h.tokens.bearer(randomUUID(), 'buyer') },
      });
      expect(response.statusCode).toBe(404);
      expect(response.json<Problem>().code).toBe('not-found');
    });

    it('when no token is sent, then the unread count is 401', async () => {
      const response = await h.app.inject({
        method: 'GET',
        url: '/api/notifications/unread-count',
      });
      expect(response.statusCode).toBe(401);
      expect(response.json<Problem>().code).toBe('unauthorized');
    });
  });
});
