import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exchangeDeclarations, parseEvent } from '@marketplace/events';
import { uniqueName, waitFor } from '@marketplace/testing';
import type { DomainEvent } from '@marketplace/contracts';
import { DEMO_ADMIN, DEMO_BUYER, DEMO_PASSWORD } from '@marketplace/contracts';
import { code, post, register, startUserService } from './harness.ts';
import type { Harness, Session } from './harness.ts';

describe('user-service: events', () => {
  let h: Harness;
  const queue = uniqueName('t.users.registered');

  beforeAll(async () => {
    h = await startUserService();
    // Our own queue on the suite's exchange, declared as every publisher declares it.
    const topology = exchangeDeclarations(h.exchange);
    for (const exchange of topology.exchanges) await h.broker.exchangeDeclare(exchange);
    await h.broker.queueDeclare({ queue, durable: false, autoDelete: false });
    await h.broker.queueBind({ queue, exchange: h.exchange, routingKey: 'user.*' });
  });
  afterAll(async () => {
    await h?.broker.queueDelete({ queue });
    await h?.close();
  });

  async function received(): Promise<DomainEvent[]> {
    const events: DomainEvent[] = [];
    for (;;) {
      const message = await h.broker.basicGet({ queue, noAck: true });
      if (!message) return events;
      const parsed = parseEvent(message.body);
      if ('event' in parsed) events.push(parsed.event);
    }
  }

  it('when a user registers, then user.registered reaches the exchange with their data', async () => {
    const seen: DomainEvent[] = [];
    const session = await register(h.app, { role: 'seller', name: 'Sally Seller' });
    const event = await waitFor(
      async () => {
        seen.push(...(await received()));
        return seen.find((e) => e.type === 'user.registered' && e.data.userId === session.user.id);
      },
      { what: 'user.registered' },
    );
    expect(event.data).toEqual({
      userId: session.user.id,
      email: session.user.email,
      name: 'Sally Seller',
      role: 'seller',
    });
    expect(event.correlationId).toBeTruthy();
    // The seeded demo accounts are fixtures, not sign-ups: no event for them.
    expect(seen.some((e) => e.type === 'user.registered' && e.data.userId === DEMO_BUYER.id)).toBe(
      false,
    );
  });

  it('when registration fails, then no event is published', async () => {
    const session = await register(h.app);
    const dup = await h.app.inject({
      method: 'POST',
      url: '/api/auth/register',
      payload: { email: session.user.email, password: 'long enough', name: 'Again' },
    });
    expect(dup.statusCode).toBe(409);
    expect(code(dup)).toBe('email-taken');
    await waitFor(async () => {
      const events = await received();
      return events.some((e) => e.type === 'user.registered' && e.data.userId === session.user.id)
        ? true
        : undefined;
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await received()).toEqual([]);
  });

  describe('user.updated', () => {
    let admin: Session;
    beforeAll(async () => {
      admin = (
        await post(h.app, '/api/auth/login', { email: DEMO_ADMIN.email, password: DEMO_PASSWORD })
      ).json<Session>();
    });

    const patch = (url: string, payload: object, token: string) =>
      h.app.inject({
        method: 'PATCH',
        url,
        payload,
        headers: { authorization: `Bearer ${token}` },
      });

    type UserUpdated = Extract<DomainEvent, { type: 'user.updated' }>;
    const isUpdateOf =
      (userId: string) =>
      (event: DomainEvent): event is UserUpdated =>
        event.type === 'user.updated' && event.data.userId === userId;

    /** Every user.updated of `userId` that has reached the queue, once `count` of them have. */
    async function updatesOf(userId: string, count: number): Promise<UserUpdated[]> {
      const seen: DomainEvent[] = [];
      await waitFor(
        async () => {
          seen.push(...(await received()));
          return seen.filter(isUpdateOf(userId)).length >= count ? true : undefined;
        },
        { what: `${count} user.updated of ${userId}` },
      );
      // Anything more was enqueued with the changes before, so it is in by now.
      await new Promise((resolve) => setTimeout(resolve, 300));
      seen.push(...(await received()));
      return seen.filter(isUpdateOf(userId));
    }

    it('when a user renames themself or changes language, then user.updated carries the current values', async () => {
      const session = await register(h.app, { role: 'seller', name: 'Old Shop' });
      await received();
      expect(
        (await patch('/api/users/me', { name: ' New Shop ' }, session.accessToken)).statusCode,
      ).toBe(200);
      expect(
        (await patch('/api/users/me', { language: 'ru' }, session.accessToken)).statusCode,
      ).toBe(200);
      const events = await updatesOf(session.user.id, 2);
      expect(events.map((e) => e.data)).toEqual([
        {
          userId: session.user.id,
          name: 'New Shop',
          language: 'en',
          blocked: false,
          role: 'seller',
        },
        {
          userId: session.user.id,
          name: 'New Shop',
          language: 'ru',
          blocked: false,
          role: 'seller',
        },
      ]);
      expect(events.every((e) => e.version === 1 && e.correlationId)).toBe(true);
    });

    it('when an admin blocks or changes a role, then user.updated says so; a change of nothing it carries publishes none', async () => {
      const session = await register(h.app);
      await received();
      // Phone and address are nobody else's copy; the same name again is no change.
      await patch(
        '/api/users/me',
        { phone: '+1 555 0100', name: 'Test User' },
        session.accessToken,
      );
      await patch(`/api/users/${session.user.id}`, { role: 'seller' }, admin.accessToken);
      await patch(`/api/users/${session.user.id}`, { blocked: true }, admin.accessToken);
      await patch(`/api/users/${session.user.id}`, { blocked: true }, admin.accessToken);
      const events = await updatesOf(session.user.id, 2);
      expect(events.map((e) => [e.data.role, e.data.blocked])).toEqual([
        ['seller', false],
        ['seller', true],
      ]);
      // Blocking revoked the sessions at once.
      const refreshed = await post(h.app, '/api/auth/refresh', {
        refreshToken: session.refreshToken,
      });
      expect(refreshed.statusCode).toBe(401);
      expect(code(refreshed)).toBe('invalid-refresh-token');
    });

    it('when a blocked user tries to change their profile, then 403 and no event', async () => {
      const session = await register(h.app);
      await patch(`/api/users/${session.user.id}`, { blocked: true }, admin.accessToken);
      const refused = await patch('/api/users/me', { name: 'Escaped' }, session.accessToken);
      expect(refused.statusCode).toBe(403);
      expect(code(refused)).toBe('account-blocked');
      const events = await updatesOf(session.user.id, 1);
      expect(events.map((e) => e.data.name)).toEqual(['Test User']);
    });
  });
});
