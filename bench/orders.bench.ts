/**
 * The orders path end to end, through the gateway, on the whole stack (five services as real
 * processes, as the e2e suite starts them): checkouts at a fixed offered load (open loop: one
 * every 1/RATE s whatever the answers do), their latency p50/p99, and how long each order's
 * event takes from its commit to the broker (a queue of the bench's own bound to the exchange)
 * and to the buyer's live notification (the SSE stream through the gateway).
 *
 * Baseline first: the same driver on a git worktree of the commit before the events issue
 * (`BENCH_BASELINE`, default 6d8a1b1), then on this checkout; one table compares them.
 * Run: `npm run bench:orders` (needs the MariaDB and RabbitMQ of the tests).
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Connection } from 'rabbitmq-client';
import {
  DEMO_BUYER,
  DEMO_PASSWORD,
  DEMO_SELLERS,
  type CheckoutResult,
  type ProductPage,
} from '@marketplace/contracts';
import { TEST_RABBITMQ_URL, uniqueName } from '@marketplace/testing';
import { addBaselineWorktree } from './catalog/checkouts.ts';
import { msAt } from './catalog/measure.ts';
import { watchOrdersPlaced } from './sse.ts';
import type { Stack, StackOptions } from '../tests/e2e/stack.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BASELINE = process.env.BENCH_BASELINE ?? '6d8a1b1';
const RATE = Number(process.env.BENCH_RATE ?? 20);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 20);

const log = (message: string) => process.stderr.write(`${message}\n`);

interface Figures {
  code: string;
  offered: number;
  placed: number;
  failed: number;
  perSecond: number;
  checkout: number[];
  toBroker: number[];
  toNotification: number[];
  responseToNotification: number[];
  rssMiB: number;
}

async function api<T>(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: T }> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : null) as T };
}

async function login(base: string, email: string): Promise<string> {
  const { body } = await api<{ accessToken: string }>(base, 'POST', '/api/auth/login', {
    email,
    password: DEMO_PASSWORD,
  });
  return `Bearer ${body.accessToken}`;
}

/** Every demo product gets stock enough for the run (its seller adds it). */
async function restock(base: string): Promise<string[]> {
  const ids: string[] = [];
  for (const seller of DEMO_SELLERS) {
    const token = await login(base, seller.email);
    const page = await api<ProductPage>(
      base,
      'GET',
      `/api/products?sellerId=${seller.id}&limit=100`,
    );
    for (const product of page.body.items) {
      const res = await api(
        base,
        'POST',
        `/api/products/${product.id}/stock`,
        { delta: 100_000 },
        {
          authorization: token,
        },
      );
      if (res.status !== 200) throw new Error(`restock ${product.id}: ${res.status}`);
      ids.push(product.id);
    }
  }
  return ids;
}

async function measure(code: string, root: string): Promise<Figures> {
  const exchange = uniqueName('bench.orders');
  const env = Object.fromEntries(
    ['user-service', 'product-service', 'order-service', 'notification-service', 'gateway'].map(
      (s) => [s, { EVENTS_EXCHANGE: exchange, LOG_LEVEL: 'warn' }],
    ),
  ) as StackOptions['env'];
  const { startStack } = (await import(pathToFileURL(join(root, 'tests/e2e/stack.ts')).href)) as {
    startStack: (o: StackOptions) => Promise<Stack>;
  };
  log(`${code}: starting the stack`);
  const stack = await startStack({ env });
  const broker = new Connection(TEST_RABBITMQ_URL);
  const probeQueue = uniqueName('bench.orders.probe');
  const atBroker = new Map<string, { occurredAt: number; at: number }>();
  const probe = broker.createConsumer(
    {
      queue: probeQueue,
      queueOptions: { exclusive: true },
      exchanges: [],
      queueBindings: [{ queue: probeQueue, exchange, routingKey: 'order.created' }],
    },
    async (message) => {
      const event = message.body as { occurredAt: string; data: { orderId: string } };
      atBroker.set(event.data.orderId, {
        occurredAt: Date.parse(event.occurredAt),
        at: performance.timeOrigin + performance.now(),
      });
    },
  );
  await new Promise<void>((resolve) => probe.once('ready', () => resolve()));
  try {
    const base = stack.gatewayUrl;
    const products = await restock(base);
    const buyer = await login(base, DEMO_BUYER.email);
    const notified = new Map<string, number>();
    const stopWatching = await watchOrdersPlaced(base, buyer, notified);
    const responded = new Map<string, number>();
    const latencies: number[] = [];
    let failed = 0;
    let n = 0;
    const checkout = async (record: boolean) => {
      const productId = products[n++ % products.length]!;
      const begun = performance.now();
      const res = await api<CheckoutResult>(
        base,
        'POST',
        '/api/orders',
        {
          items: [{ productId, quantity: 1 }],
          shippingAddress: {
            name: 'Bench Buyer',
            line1: '1 Main St',
            city: 'Springfield',
            postalCode: '12345',
            country: 'US',
          },
        },
        { authorization: buyer, 'idempotency-key': randomUUID() },
      ).catch(() => ({ status: 0, body: null }));
      const took = performance.now() - begun;
      if (!record) return;
      if (res.status !== 201 || !res.body) {
        failed++;
        return;
      }
      latencies.push(took);
      for (const order of res.body.orders)
        responded.set(order.id, performance.timeOrigin + performance.now());
    };
    for (let i = 0; i < WARMUP; i++) await checkout(false);

    log(`${code}: ${RATE}/s for ${SECONDS} s`);
    const offered = RATE * SECONDS;
    const inFlight: Promise<void>[] = [];
    const begun = performance.now();
    for (let i = 0; i < offered; i++) {
      const due = begun + (i * 1000) / RATE;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      inFlight.push(checkout(true));
    }
    await Promise.all(inFlight);
    const seconds = (performance.now() - begun) / 1000;
    // Every placed order's event and notification, or 30 s.
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && [...responded.keys()].some((id) => !notified.has(id)))
      await new Promise((r) => setTimeout(r, 100));
    stopWatching();

    const toBroker: number[] = [];
    const toNotification: number[] = [];
    const responseToNotification: number[] = [];
    for (const [orderId, response] of responded) {
      const event = atBroker.get(orderId);
      const live = notified.get(orderId);
      if (event) toBroker.push(event.at - event.occurredAt);
      if (event && live) toNotification.push(live - event.occurredAt);
      if (live) responseToNotification.push(live - response);
    }
    const memory = await stack.memory();
    return {
      code,
      offered,
      placed: latencies.length,
      failed,
      perSecond: latencies.length / seconds,
      checkout: latencies,
      toBroker,
      toNotification,
      responseToNotification,
      rssMiB: Object.values(memory).reduce((a, b) => a + b, 0) / 2 ** 20,
    };
  } finally {
    await probe.close();
    await broker.exchangeDelete({ exchange }).catch(() => undefined);
    await broker.close();
    await stack.stop();
  }
}

const ms = msAt;

const worktree = await addBaselineWorktree(ROOT, BASELINE);
const runs: Figures[] = [];
try {
  runs.push(await measure(`baseline ${BASELINE}`, worktree.root));
} finally {
  await worktree.remove();
}
runs.push(await measure('new', ROOT));

const rows = [
  ['offered checkouts (at /s)', (f: Figures) => `${f.offered} (${RATE}/s)`],
  ['placed / failed', (f: Figures) => `${f.placed} / ${f.failed}`],
  ['checkouts/s achieved', (f: Figures) => f.perSecond.toFixed(1)],
  ['checkout p50 / p99, ms', (f: Figures) => `${ms(f.checkout, 0.5)} / ${ms(f.checkout, 0.99)}`],
  [
    'commit → broker p50 / p99, ms',
    (f: Figures) => `${ms(f.toBroker, 0.5)} / ${ms(f.toBroker, 0.99)}`,
  ],
  [
    'commit → live notification p50 / p99, ms',
    (f: Figures) => `${ms(f.toNotification, 0.5)} / ${ms(f.toNotification, 0.99)}`,
  ],
  [
    'response → live notification p50 / p95, ms',
    (f: Figures) => `${ms(f.responseToNotification, 0.5)} / ${ms(f.responseToNotification, 0.95)}`,
  ],
  [
    'events seen at the broker / notified',
    (f: Figures) => `${f.toBroker.length} / ${f.responseToNotification.length}`,
  ],
  ['RSS of the five processes, MiB', (f: Figures) => f.rssMiB.toFixed(0)],
] as const;
process.stdout.write(`\n| measure | ${runs.map((r) => r.code).join(' | ')} |\n`);
process.stdout.write(`| --- | ${runs.map(() => '---:').join(' | ')} |\n`);
for (const [name, cell] of rows)
  process.stdout.write(`| ${name} | ${runs.map((r) => cell(r)).join(' | ')} |\n`);
