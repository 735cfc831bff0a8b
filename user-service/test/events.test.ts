import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exchangeDeclarations, parseEvent } from '@marketplace/events';
import { uniqueName, waitFor } from '@marketplace/testing';
import type { DomainEvent } from '@marketplace/contracts';
import { DEMO_BUYER } from '@marketplace/contracts';
import { code, register, startUserService } from './harness.ts';
import type { Harness } from './harness.ts';

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
});
