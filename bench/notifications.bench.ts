/**
 * notification-service in this process on its own database, exchange and queue, fed by a
 * publisher standing in for order-service: event→inbox (the notification is in the database) and
 * event→stream (it arrives on the user's SSE stream) at a fixed offered rate, the consumer's
 * maximum sustained rate (a burst published at once, until every notification is stored), and
 * mails per second to a local SMTP server (smtp-server, in this process).
 *
 * Baseline first: the same driver on a git worktree of the commit before the events and e-mail
 * issues (`BENCH_BASELINE`, default 6d8a1b1); it sends no mail. Then this checkout.
 * Run: `npm run bench:notifications` (the MariaDB and RabbitMQ of the tests).
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { sql, type Kysely } from 'kysely';
import { Connection } from 'rabbitmq-client';
import type { EventData } from '@marketplace/contracts';
import { createDb, dropDatabase } from '@marketplace/db';
import {
  createTestTokens,
  freePort,
  silentLogger,
  TEST_MYSQL_URL,
  TEST_RABBITMQ_URL,
  uniqueName,
  waitFor,
} from '@marketplace/testing';
import { TestSmtpServer } from '../notification-service/test/smtp-server.ts';
import { addBaselineWorktree } from './catalog/checkouts.ts';
import { msAt } from './catalog/measure.ts';
import { watchOrdersPlaced } from './sse.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BASELINE = process.env.BENCH_BASELINE ?? '6d8a1b1';
const RATE = Number(process.env.BENCH_RATE ?? 100);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const BURST = Number(process.env.BENCH_BURST ?? 3000);
// 20: the streams one client address may open (every stream of the bench comes from 127.0.0.1).
const USERS = Number(process.env.BENCH_USERS ?? 20);

const log = (message: string) => process.stderr.write(`${message}\n`);
const now = () => performance.timeOrigin + performance.now();

interface Figures {
  code: string;
  toInbox: number[];
  toStream: number[];
  missing: number;
  burstPerSecond: number;
  mailsPerSecond: number | null;
  rssMiB: number;
}

interface App {
  listen(o: { port: number; host: string }): Promise<string>;
  ready(): Promise<unknown>;
  close(): Promise<void>;
}

async function measure(code: string, root: string, sendsMail: boolean): Promise<Figures> {
  const name = uniqueName('bench_notif').slice(0, 60);
  const exchange = uniqueName('bench.notif');
  const queue = uniqueName('bench.notif.q');
  const smtp = sendsMail ? new TestSmtpServer(await freePort()) : null;
  await smtp?.start();
  const service = (await import(
    pathToFileURL(join(root, 'notification-service/src/app.ts')).href
  )) as {
    prepare: (c: unknown, l: unknown) => Promise<void>;
    buildApp: (c: unknown, d: unknown) => Promise<{ app: App; db: Kysely<Record<string, never>> }>;
  };
  const { loadConfig } = (await import(
    pathToFileURL(join(root, 'notification-service/src/config.ts')).href
  )) as { loadConfig: (env: Record<string, string>) => unknown };
  const config = loadConfig({
    MYSQL_URL: TEST_MYSQL_URL,
    DB_NAME: name,
    RABBITMQ_URL: TEST_RABBITMQ_URL,
    EVENTS_EXCHANGE: exchange,
    EVENTS_QUEUE: queue,
    SMTP_URL: smtp ? smtp.url : `smtp://127.0.0.1:${await freePort()}`,
  });
  await service.prepare(config, silentLogger);
  const tokens = await createTestTokens();
  const { app } = await service.buildApp(config, { verifier: tokens.verifier, logger: false });
  await app.ready();
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  const db = createDb<Record<string, never>>({ url: TEST_MYSQL_URL, database: name });
  const broker = new Connection(TEST_RABBITMQ_URL);
  const publisher = broker.createPublisher({ confirm: true });
  const publish = <T extends 'user.registered' | 'order.created'>(type: T, data: EventData<T>) =>
    publisher.send(
      { exchange, routingKey: type, durable: true, contentType: 'application/json' },
      {
        id: randomUUID(),
        type,
        version: 1,
        occurredAt: new Date().toISOString(),
        correlationId: null,
        data,
      },
    );
  const closers: (() => void)[] = [];
  try {
    // The consumer subscribes as the app becomes ready; wait for it before publishing.
    await waitFor(async () =>
      (await broker.queueDeclare({ queue, passive: true })).consumerCount > 0 ? true : undefined,
    );
    const users = Array.from({ length: USERS }, () => randomUUID());
    for (const userId of users)
      await publish('user.registered', {
        userId,
        email: `${userId}@bench.test`,
        name: 'Bench',
        role: 'buyer',
      });

    const onStream = new Map<string, number>();
    for (const userId of users)
      closers.push(await watchOrdersPlaced(base, await tokens.bearer(userId, 'buyer'), onStream));
    // Inbox: a notification's row, polled every 10 ms.
    const inInbox = new Map<string, number>();
    let polling = true;
    const poller = (async () => {
      while (polling) {
        const { rows } = await sql<{ data: string }>`
          SELECT data FROM notifications
          WHERE type = 'order.placed' AND created_at >= CURRENT_TIMESTAMP(3) - INTERVAL 3 SECOND`.execute(
          db,
        );
        const at = now();
        for (const row of rows) {
          const orderId = (JSON.parse(row.data) as { orderId: string }).orderId;
          if (!inInbox.has(orderId)) inInbox.set(orderId, at);
        }
        await new Promise((r) => setTimeout(r, 10));
      }
    })();

    log(`${code}: ${RATE}/s for ${SECONDS} s`);
    const sentAt = new Map<string, number>();
    const begun = performance.now();
    const total = RATE * SECONDS;
    const inFlight: Promise<void>[] = [];
    for (let i = 0; i < total; i++) {
      const wait = begun + (i * 1000) / RATE - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const orderId = randomUUID();
      const buyerId = users[i % users.length]!;
      sentAt.set(orderId, now());
      inFlight.push(
        publish('order.created', {
          orderId,
          checkoutId: randomUUID(),
          buyerId,
          sellerId: randomUUID(),
          items: [{ productId: randomUUID(), title: 'Lamp', quantity: 1, priceMinor: 1999 }],
          totalMinor: 1999,
          currency: 'EUR',
        }),
      );
    }
    await Promise.all(inFlight);
    await waitFor(
      () =>
        [...sentAt.keys()].every((id) => onStream.has(id) && inInbox.has(id)) ? true : undefined,
      {
        timeoutMs: 60_000,
        intervalMs: 100,
        what: 'every notification',
      },
    ).catch(() => undefined);
    polling = false;
    await poller;
    const toInbox: number[] = [];
    const toStream: number[] = [];
    let missing = 0;
    for (const [orderId, at] of sentAt) {
      const inbox = inInbox.get(orderId);
      const stream = onStream.get(orderId);
      if (inbox === undefined || stream === undefined) missing++;
      if (inbox !== undefined) toInbox.push(inbox - at);
      if (stream !== undefined) toStream.push(stream - at);
    }

    log(`${code}: a burst of ${BURST}`);
    const count = async () => {
      const { rows } = await sql<{ n: number | string }>`
        SELECT COUNT(*) AS n FROM notifications WHERE type = 'order.placed'`.execute(db);
      return Number(rows[0]?.n ?? 0);
    };
    const before = await count();
    const mailsBefore = smtp?.mails.length ?? 0;
    const burstBegun = performance.now();
    const burst: Promise<void>[] = [];
    for (let i = 0; i < BURST; i++)
      burst.push(
        publish('order.created', {
          orderId: randomUUID(),
          checkoutId: randomUUID(),
          buyerId: users[i % users.length]!,
          sellerId: randomUUID(),
          items: [{ productId: randomUUID(), title: 'Lamp', quantity: 1, priceMinor: 1999 }],
          totalMinor: 1999,
          currency: 'EUR',
        }),
      );
    await Promise.all(burst);
    await waitFor(async () => ((await count()) >= before + BURST ? true : undefined), {
      timeoutMs: 300_000,
      intervalMs: 50,
      what: 'the burst stored',
    });
    const burstPerSecond = BURST / ((performance.now() - burstBegun) / 1000);
    let mailsPerSecond: number | null = null;
    if (smtp) {
      // Timed from the burst's start: the mails of the burst, through one SMTP connection.
      await waitFor(() => (smtp.mails.length - mailsBefore >= BURST ? true : undefined), {
        timeoutMs: 600_000,
        intervalMs: 100,
        what: 'the burst’s mails',
      });
      mailsPerSecond = BURST / ((performance.now() - burstBegun) / 1000);
    }
    return {
      code,
      toInbox,
      toStream,
      missing,
      burstPerSecond,
      mailsPerSecond,
      rssMiB: process.memoryUsage().rss / 2 ** 20,
    };
  } finally {
    for (const close of closers) close();
    await app.close();
    await publisher.close();
    for (const q2 of [queue, `${queue}.retry`, `${queue}.dead`, `${exchange}.unrouted`])
      await broker.queueDelete({ queue: q2 }).catch(() => undefined);
    for (const e of [exchange, `${exchange}.live`, `${exchange}.unrouted`])
      await broker.exchangeDelete({ exchange: e }).catch(() => undefined);
    await broker.close();
    await db.destroy();
    await dropDatabase(TEST_MYSQL_URL, name);
    await smtp?.stop();
  }
}

const worktree = await addBaselineWorktree(ROOT, BASELINE);
const runs: Figures[] = [];
try {
  runs.push(await measure(`baseline ${BASELINE}`, worktree.root, false));
} finally {
  await worktree.remove();
}
runs.push(await measure('new', ROOT, true));
// The consumer alone: mails go to a port nothing listens on, so the sender and the in-process SMTP
// server (which parses every mail on this process's CPU) take nothing from it.
if (process.env.BENCH_CONSUMER_ONLY !== '0')
  runs.push(await measure('new, no SMTP server', ROOT, false));

const ms = msAt;
const rows: [string, (f: Figures) => string][] = [
  [
    `event → inbox p50 / p99, ms (at ${RATE}/s)`,
    (f) => `${ms(f.toInbox, 0.5)} / ${ms(f.toInbox, 0.99)}`,
  ],
  [
    `event → stream p50 / p99, ms (at ${RATE}/s)`,
    (f) => `${ms(f.toStream, 0.5)} / ${ms(f.toStream, 0.99)}`,
  ],
  ['not seen in 60 s', (f) => String(f.missing)],
  [`consumer, sustained events/s (burst of ${BURST})`, (f) => f.burstPerSecond.toFixed(0)],
  [
    'mails/s to a local SMTP server (the burst)',
    (f) => (f.mailsPerSecond === null ? 'no mail' : f.mailsPerSecond.toFixed(0)),
  ],
  ['RSS of this process after the run, MiB', (f) => f.rssMiB.toFixed(0)],
];
process.stdout.write(
  `\n| measure | ${runs.map((r) => r.code).join(' | ')} |\n| --- | ${runs.map(() => '---:').join(' | ')} |\n`,
);
for (const [label, cell] of rows)
  process.stdout.write(`| ${label} | ${runs.map(cell).join(' | ')} |\n`);
process.exit(0);
