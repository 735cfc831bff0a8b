import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeadLetterPage, DeadLetterView } from '@marketplace/contracts';
import { createBroker, createEnvelope, type BrokerConnection } from '@marketplace/events';
import {
  silentLogger,
  TEST_MYSQL_URL,
  TEST_RABBITMQ_URL,
  uniqueName,
  waitFor,
} from '@marketplace/testing';
import { startHarness, type Harness } from './harness.ts';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

describe('notification-service: admin dead letters (parked and unrouted events)', () => {
  let h: Harness;
  let broker: BrokerConnection;
  let admin: string;

  beforeAll(async () => {
    h = await startHarness('deadletters');
    broker = createBroker(TEST_RABBITMQ_URL, silentLogger, 'dead-letters-test');
    admin = await h.tokens.bearer('00000000-0000-4000-8000-0000000000ad', 'admin');
  });

  afterAll(async () => {
    await broker.close();
    await h.close();
  });

  const list = async (query = '') => {
    const response = await h.app.inject({
      method: 'GET',
      url: `/api/admin/dead-letters${query}`,
      headers: { authorization: admin },
    });
    return { status: response.statusCode, body: response.json<DeadLetterPage>() };
  };
  const replay = (id: string, authorization = admin) =>
    h.app.inject({
      method: 'POST',
      url: `/api/admin/dead-letters/${id}/replay`,
      headers: { authorization },
    });
  const parkedWith = (match: (d: DeadLetterView) => boolean, what: string) =>
    waitFor(async () => (await list('?all=true')).body.items.find(match), { what });

  it('when an event no queue is bound for is published, then it is listed as unrouted, and a replay after a queue is bound delivers it', async () => {
    const event = await h.publish('product.updated', {
      productId: 'p-unrouted',
      sellerId: 's',
      version: 1,
      priceMinor: 100,
      currency: 'EUR',
      stock: 1,
      status: 'active',
    });
    const letter = await parkedWith((d) => d.eventId === event.id, 'the unrouted event');
    expect(letter).toMatchObject({
      type: 'product.updated',
      source: `${h.exchange}.unrouted`,
      reason: 'unrouted: no queue was bound for product.updated',
      attempts: 1,
      replayedAt: null,
    });

    // A consumer for it arrives (a new service, say); then the operator replays it.
    const queue = uniqueName('t.deadletters.late');
    await broker.queueDeclare({ queue, exclusive: true });
    await broker.queueBind({ queue, exchange: h.exchange, routingKey: 'product.updated' });
    const response = await replay(letter.id);
    expect(response.statusCode).toBe(200);
    expect(response.json<DeadLetterView>().replayedAt).toEqual(expect.any(String));
    const got = await waitFor(
      async () => {
        const message = await broker.basicGet({ queue, noAck: true });
        return message ?? undefined;
      },
      { what: 'the replayed event' },
    );
    expect((got.body as { id: string }).id).toBe(event.id);
    expect((await replay(letter.id)).statusCode).toBe(409);
    expect((await list()).body.items.some((d) => d.id === letter.id)).toBe(false);
  });

  it('when the consumer parks an invalid event, then it is listed with why, newest first a page at a time', async () => {
    const bad = createEnvelope(
      'user.registered',
      { userId: 'u', email: 'e@x.y', name: 'n', role: 'buyer' },
      null,
    );
    const invalid = { ...bad, data: { userId: 'u' } } as unknown as typeof bad;
    await h.publishEnvelope(invalid);
    const second = { ...invalid, id: createEnvelope('user.registered', bad.data, null).id };
    await h.publishEnvelope(second);
    const letter = await parkedWith((d) => d.eventId === second.id, 'the parked event');
    expect(letter).toMatchObject({
      source: h.queue,
      type: 'user.registered',
      reason: 'invalid envelope: data does not match user.registered',
      attempts: 1,
    });
    await parkedWith((d) => d.eventId === bad.id, 'the first parked event');

    const first = await list('?limit=1');
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(1);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const next = await list(`?limit=1&cursor=${first.body.nextCursor}`);
    expect(Number(next.body.items[0]?.id)).toBeLessThan(Number(first.body.items[0]?.id));
  });

  it('when an operator uses the CLI, then it lists the same dead letters and replays one by id', async () => {
    const cli = (...args: string[]) =>
      run(process.execPath, ['--import', 'tsx', 'scripts/dead-letters.ts', ...args], {
        cwd: ROOT,
        env: { ...process.env, MYSQL_URL: TEST_MYSQL_URL, NOTIFICATION_DB_NAME: h.databaseName },
      });
    const open = (await list()).body.items;
    expect(open.length).toBeGreaterThan(0);
    const listed = JSON.parse((await cli('list', '--json')).stdout) as { id: string }[];
    expect(listed.map((d) => d.id)).toEqual(open.map((d) => d.id));

    const target = open[0]!.id;
    expect((await cli('replay', target)).stdout).toBe(`${target}: replayed\n`);
    const again = await cli('replay', target).catch(
      (error: { code: number; stdout: string }) => error,
    );
    expect(again).toMatchObject({ code: 1, stdout: `${target}: already-replayed\n` });
    expect((await list()).body.items.some((d) => d.id === target)).toBe(false);
  });

  it('when scraped, then /metrics counts the parked events, the deliveries by outcome and the queue lag', async () => {
    const open = (await list()).body.items.filter((d) => d.source === h.queue).length;
    const unrouted = (await list()).body.items.filter(
      (d) => d.source === `${h.exchange}.unrouted`,
    ).length;
    const body = (await h.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(body).toContain(
      `events_parked{queue="${h.exchange}.unrouted",service="notification-service"} ${unrouted}`,
    );
    expect(body).toContain(
      `events_parked{queue="${h.queue}",service="notification-service"} ${open}`,
    );
    expect(body).toMatch(
      new RegExp(`events_consumed_total\\{queue="${h.queue}",outcome="parked"[^}]*\\} [1-9]`),
    );
    expect(body).toMatch(
      new RegExp(`events_consumer_lag_messages\\{queue="${h.queue}",part="main"[^}]*\\} 0`),
    );
  });

  it('when asked wrongly, then the answers are problems naming what is wrong', async () => {
    const buyer = await h.tokens.bearer('00000000-0000-4000-8000-0000000000b1', 'buyer');
    const asBuyer = await h.app.inject({
      method: 'GET',
      url: '/api/admin/dead-letters',
      headers: { authorization: buyer },
    });
    expect(asBuyer.statusCode).toBe(403);
    const anonymous = await h.app.inject({ method: 'GET', url: '/api/admin/dead-letters' });
    expect(anonymous.statusCode).toBe(401);
    expect((await replay('999999999')).statusCode).toBe(404);
    expect((await replay('999999999', buyer)).statusCode).toBe(403);
    const badId = await replay('abc');
    expect(badId.statusCode).toBe(400);
    expect(badId.headers['content-type']).toContain('application/problem+json');
    const badCursor = await list('?cursor=nope');
    expect(badCursor.status).toBe(400);
    expect(JSON.stringify(badCursor.body)).toContain('querystring.cursor');
    const badLimit = await list('?limit=0');
    expect(badLimit.status).toBe(400);
    expect(JSON.stringify(badLimit.body)).toContain('limit');
  });
});
