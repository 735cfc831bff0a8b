import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventData, EventEnvelope, Product } from '@marketplace/contracts';
import {
  createBroker,
  createEnvelope,
  exchangeDeclarations,
  type BrokerConnection,
} from '@marketplace/events';
import { createDb } from '@marketplace/db';
import { silentLogger, TEST_RABBITMQ_URL, waitFor } from '@marketplace/testing';
import { createProduct, startTestService, type TestService } from './helpers.ts';

describe('product-service: seller names follow user.updated', () => {
  let service: TestService;
  let broker: BrokerConnection;
  let publisher: ReturnType<BrokerConnection['createPublisher']>;
  /** The consumer's dedupe table, kept by @marketplace/events. */
  let db: ReturnType<typeof createDb<{ processed_events: { event_id: string } }>>;

  beforeAll(async () => {
    service = await startTestService('products_sellers');
    db = createDb<{ processed_events: { event_id: string } }>({
      url: service.config.MYSQL_URL,
      database: service.config.DB_NAME,
    });
    await service.app.ready();
    broker = createBroker(TEST_RABBITMQ_URL, silentLogger, 'product-tests-publisher');
    publisher = broker.createPublisher({
      confirm: true,
      ...exchangeDeclarations(service.config.EVENTS_EXCHANGE),
    });
    // Published before the consumer has bound its queue, an event would go to the unrouted queue.
    await waitFor(
      async () => {
        const queue = service.config.EVENTS_QUEUE;
        const { consumerCount } = await broker.queueDeclare({ queue, passive: true });
        return consumerCount > 0 ? true : undefined;
      },
      { what: 'the consumer to subscribe' },
    );
  });
  afterAll(async () => {
    await db?.destroy();
    await publisher?.close();
    await broker?.close();
    await service?.close();
  });

  async function publish(envelope: EventEnvelope): Promise<void> {
    await publisher.send(
      {
        exchange: service.config.EVENTS_EXCHANGE,
        routingKey: envelope.type,
        durable: true,
        contentType: 'application/json',
        messageId: envelope.id,
      },
      Buffer.from(JSON.stringify(envelope)),
    );
  }

  function updated(
    userId: string,
    name: string,
  ): EventEnvelope<'user.updated', EventData<'user.updated'>> {
    const data: EventData<'user.updated'> = {
      userId,
      name,
      language: 'en',
      blocked: false,
      role: 'seller',
    };
    return createEnvelope('user.updated', data, 'req-test');
  }

  async function sellerNames(ids: string[]): Promise<string[]> {
    return Promise.all(
      ids.map(async (id) => {
        const response = await service.app.inject({ url: `/api/products/${id}` });
        return response.json<Product>().sellerName;
      }),
    );
  }

  /** The consumer handles events side by side: this waits until one of them is done. */
  async function handled(eventId: string): Promise<void> {
    await waitFor(
      async () =>
        (await db
          .selectFrom('processed_events')
          .select('event_id')
          .where('event_id', '=', eventId)
          .executeTakeFirst()) ?? undefined,
      { what: `event ${eventId} handled` },
    );
  }

  async function namesBecome(ids: string[], name: string): Promise<void> {
    await waitFor(
      async () => ((await sellerNames(ids)).every((n) => n === name) ? true : undefined),
      { what: `seller name ${name}` },
    );
  }

  it('when a seller is renamed, then every product of theirs shows the new name, and no one else’s', async () => {
    const seller = randomUUID();
    const other = randomUUID();
    const mine = [
      await createProduct(service, seller, {}, 'Old Shop'),
      await createProduct(service, seller, {}, 'Old Shop'),
    ];
    const theirs = await createProduct(service, other, {}, 'Other Shop');
    await publish(updated(seller, '  New Shop '));
    await namesBecome(
      mine.map((p) => p.id),
      'New Shop',
    );
    expect(await sellerNames([theirs.id])).toEqual(['Other Shop']);
    const listed = await service.app.inject({ url: `/api/products?sellerId=${seller}` });
    expect(listed.json<{ items: Product[] }>().items.map((p) => p.sellerName)).toEqual([
      'New Shop',
      'New Shop',
    ]);
  });

  it('when an event is redelivered (same id) or an older one arrives late, then the newest name stays', async () => {
    const seller = randomUUID();
    const product = await createProduct(service, seller, {}, 'First');
    const older = updated(seller, 'Older');
    const newest = {
      ...updated(seller, 'Newest'),
      occurredAt: new Date(Date.now() + 1000).toISOString(),
    };
    await publish(newest);
    await namesBecome([product.id], 'Newest');
    await publish(older);
    // The same id again is a redelivery: skipped, whatever it says.
    await publish({
      ...newest,
      occurredAt: new Date(Date.now() + 2000).toISOString(),
      data: { ...newest.data, name: 'Redelivered' },
    });
    await handled(older.id);
    expect(await sellerNames([product.id])).toEqual(['Newest']);
  });

  it('when a seller lists with a token issued before their rename, then the product takes the new name', async () => {
    const seller = randomUUID();
    const first = await createProduct(service, seller, {}, 'Before Rename');
    await publish(updated(seller, 'After Rename'));
    await namesBecome([first.id], 'After Rename');
    const late = await createProduct(service, seller, {}, 'Before Rename');
    expect(late.sellerName).toBe('After Rename');
    expect(await sellerNames([first.id])).toEqual(['After Rename']);
  });
});
