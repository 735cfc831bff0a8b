/**
 * `npm run bench:soak`: the system under a steady mixed load for ten minutes, through the
 * gateway: browsing 80 %, checkout 15 %, seller actions 5 %. It reports requests, errors by
 * status and latencies per kind, every service's memory after the warm-up, each minute and at
 * the end, and then checks that nothing was lost: every order a checkout was told about is there,
 * and the buyer was notified of each placed and each confirmed order exactly once.
 *
 * Memory is each process's RSS, and V8's heap as each service's /metrics tells it: whether RSS
 * grew because the heap holds more (a leak keeps growing) or because V8 sized a space up once.
 *
 * Knobs: BENCH_SOAK_SECONDS (600), BENCH_SOAK_RATE (requests/s offered, 40),
 * BENCH_SOAK_WARMUP_SECONDS (60), BENCH_COMMIT (a commit to run from a worktree of its own, so
 * others can edit meanwhile; unset: the checkout as it is). The tables are also written to
 * bench/results/<date>-soak.md.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { SMTPServer } from 'smtp-server';
import type { Pool } from 'undici';
import {
  DEMO_PASSWORD,
  DEMO_SELLERS,
  type Notification,
  type NotificationPage,
} from '@marketplace/contracts';
import { freePort } from '@marketplace/testing';
import type { Service, Stack } from '../tests/e2e/stack.ts';
import type { Worktree } from './catalog/checkouts.ts';
import { percentile } from './catalog/measure.ts';
import { fixed, mib, table } from './edge/markdown.ts';
import { snapshot, type Snapshot, type Watched } from './edge/memory.ts';
import { childPidsMatching } from './edge/processes.ts';
import { restock } from './edge/storefront-section.ts';
import { login, positiveNumber, stackStarter, today } from './edge/settings.ts';
import { gatewayPool, interleave, readCatalog, type Catalog } from './edge/storefront.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const log = (message: string) => process.stderr.write(`${message}\n`);

const num = positiveNumber;
const SECONDS = num('BENCH_SOAK_SECONDS', 600);
const RATE = num('BENCH_SOAK_RATE', 40);
const WARMUP = num('BENCH_SOAK_WARMUP_SECONDS', 60);
/** Access tokens live 15 minutes: each client logs in again this often. */
const RELOGIN_MS = 5 * 60_000;

const SERVICES: readonly Service[] = [
  'user-service',
  'product-service',
  'order-service',
  'notification-service',
  'gateway',
];

type Kind = 'catalog page' | 'search' | 'product page' | 'checkout' | 'seller action';
/** Out of every 20 requests: browsing 16 (80 %), checkout 3 (15 %), a seller's action 1 (5 %). */
const MIX: readonly { kind: Kind; per20: number }[] = [
  { kind: 'catalog page', per20: 7 },
  { kind: 'search', per20: 4 },
  { kind: 'product page', per20: 5 },
  { kind: 'checkout', per20: 3 },
  { kind: 'seller action', per20: 1 },
];

interface Outcome {
  kind: Kind;
  ms: number;
  /** 0: no answer (refused, reset, timed out). */
  status: number;
  ok: boolean;
  /** Only while measuring (after the warm-up). */
  measured: boolean;
}

interface Session {
  email: string;
  token: string;
  at: number;
}

/** A buyer of the run's own, so its notifications are only this run's. */
async function registerBuyer(gateway: string): Promise<string> {
  const email = `soak-${randomUUID()}@example.com`;
  const response = await fetch(`${gateway}/api/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: DEMO_PASSWORD, name: 'Soak Buyer' }),
  });
  if (response.status !== 201) throw new Error(`register: ${response.status}`);
  return email;
}

const SHIPPING = {
  name: 'Soak Buyer',
  line1: '1 Main St',
  city: 'Springfield',
  postalCode: '12345',
  country: 'US',
};

class Soak {
  readonly outcomes: Outcome[] = [];
  /** Every order a checkout answered 201 for, and its seller. */
  readonly placed = new Map<string, string>();
  /** Orders placed and not yet confirmed, per seller: what the seller's action confirms next. */
  private readonly toConfirm = new Map<string, string[]>();
  readonly confirmed = new Set<string>();
  private readonly order = interleave(MIX);
  private n = 0;
  measuring = false;

  constructor(
    private readonly gateway: string,
    private readonly pool: Pool,
    private readonly catalog: Catalog,
    private readonly buyer: Session,
    private readonly sellers: Map<string, Session>,
  ) {}

  private async token(session: Session): Promise<string> {
    if (performance.now() - session.at > RELOGIN_MS) {
      session.at = performance.now();
      session.token = await login(this.gateway, session.email);
    }
    return session.token;
  }

  private async call(
    method: 'GET' | 'POST',
    path: string,
    token: string,
    body?: unknown,
    extra: Record<string, string> = {},
  ): Promise<{ status: number; json: unknown }> {
    const response = await this.pool.request({
      method,
      path,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...extra,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.body.text();
    const json: unknown = text && response.statusCode < 300 ? JSON.parse(text) : undefined;
    return { status: response.statusCode, json };
  }

  /** One request of the mix; its outcome recorded from `due` (open loop). */
  async one(due: number): Promise<void> {
    const kind = this.order[this.n % this.order.length]!;
    const i = Math.floor(this.n / this.order.length);
    this.n++;
    const measured = this.measuring;
    // No answer at all (refused, reset, timed out) counts as status 0.
    const { status, expected } = await this.send(kind, i).catch(() => ({ status: 0, expected: 0 }));
    this.outcomes.push({
      kind,
      ms: performance.now() - due,
      status,
      ok: status !== 0 && status === expected,
      measured,
    });
  }

  private async send(kind: Kind, i: number): Promise<{ status: number; expected: number }> {
    const pick = <T>(list: readonly T[]): T => list[i % list.length]!;
    const buyer = await this.token(this.buyer);
    switch (kind) {
      case 'catalog page':
        return {
          status: (await this.call('GET', pick(this.catalog.pages), buyer)).status,
          expected: 200,
        };
      case 'search': {
        const q = encodeURIComponent(pick(this.catalog.words));
        return {
          status: (await this.call('GET', `/api/products?q=${q}&limit=20`, buyer)).status,
          expected: 200,
        };
      }
      case 'product page':
        return {
          status: (await this.call('GET', `/api/products/${pick(this.catalog.productIds)}`, buyer))
            .status,
          expected: 200,
        };
      case 'checkout': {
        // Two products, often of two sellers: one checkout, an order per seller.
        const items = [
          { productId: pick(this.catalog.productIds), quantity: 1 },
          {
            productId: this.catalog.productIds[(i * 7 + 3) % this.catalog.productIds.length]!,
            quantity: 1,
          },
        ].filter(
          (item, index, all) => all.findIndex((o) => o.productId === item.productId) === index,
        );
        const { status, json } = await this.call(
          'POST',
          '/api/orders',
          buyer,
          { items, shippingAddress: SHIPPING },
          { 'idempotency-key': randomUUID() },
        );
        if (status === 201) {
          for (const order of (json as { orders: { id: string; sellerId: string }[] }).orders) {
            this.placed.set(order.id, order.sellerId);
            const queue = this.toConfirm.get(order.sellerId) ?? [];
            queue.push(order.id);
            this.toConfirm.set(order.sellerId, queue);
          }
        }
        return { status, expected: 201 };
      }
      case 'seller action': {
        // A seller confirms its oldest unconfirmed order; with none waiting, it reads its list.
        const sellerId = pick([...this.sellers.keys()]);
        const seller = await this.token(this.sellers.get(sellerId)!);
        const orderId = this.toConfirm.get(sellerId)?.shift();
        if (orderId === undefined) {
          return {
            status: (await this.call('GET', '/api/seller/orders?status=created&limit=20', seller))
              .status,
            expected: 200,
          };
        }
        const { status } = await this.call('POST', `/api/orders/${orderId}/status`, seller, {
          status: 'confirmed',
        });
        if (status === 200) this.confirmed.add(orderId);
        return { status, expected: 200 };
      }
    }
  }
}

/** Open loop: request i is due at i/rate, whatever the earlier ones are doing. */
async function openLoop(soak: Soak, rate: number, seconds: number): Promise<void> {
  const total = Math.round(rate * seconds);
  const pending: Promise<void>[] = [];
  const start = performance.now();
  while (pending.length < total) {
    const due = Math.min(total, Math.floor(((performance.now() - start) * rate) / 1000) + 1);
    while (pending.length < due) pending.push(soak.one(start + (pending.length * 1000) / rate));
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  await Promise.all(pending);
}

async function allNotifications(gateway: string, token: string): Promise<Notification[]> {
  const all: Notification[] = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
    const response = await fetch(`${gateway}/api/notifications?limit=100${query}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    if (!response.ok) throw new Error(`notifications: ${response.status}`);
    const page = (await response.json()) as NotificationPage;
    all.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return all;
}

/** How many of `ids` have no notification of `type`, and how many have more than one. */
function tally(notifications: Notification[], type: string, ids: Iterable<string>) {
  const count = new Map<string, number>();
  for (const n of notifications) {
    const orderId = n.data.orderId;
    if (n.type === type && typeof orderId === 'string')
      count.set(orderId, (count.get(orderId) ?? 0) + 1);
  }
  let missing = 0;
  let twice = 0;
  let expected = 0;
  for (const id of ids) {
    expected++;
    const c = count.get(id) ?? 0;
    if (c === 0) missing++;
    if (c > 1) twice++;
  }
  return { expected, missing, twice };
}

function kindRows(outcomes: Outcome[]): string[][] {
  const rows: string[][] = [];
  for (const kind of [...MIX.map((m) => m.kind), 'all' as const]) {
    const mine = outcomes.filter((o) => kind === 'all' || o.kind === kind);
    const ms = mine.map((o) => o.ms).sort((a, b) => a - b);
    const errors = new Map<number, number>();
    for (const o of mine) if (!o.ok) errors.set(o.status, (errors.get(o.status) ?? 0) + 1);
    rows.push([
      kind === 'all' ? '**all**' : kind,
      String(mine.length),
      String(mine.length - [...errors.values()].reduce((a, b) => a + b, 0)),
      fixed(percentile(ms, 0.5)),
      fixed(percentile(ms, 0.99)),
      fixed(ms.at(-1) ?? Number.NaN),
      errors.size === 0
        ? '0'
        : [...errors]
            .sort(([a], [b]) => a - b)
            .map(([s, c]) => `${c} × ${s === 0 ? 'no answer' : s}`)
            .join(', '),
    ]);
  }
  return rows;
}

/** V8's heap of each service as its /metrics says (prom-client's default metrics), in bytes. */
interface Heap {
  used: number;
  oldSpaceUsed: number;
  newSpaceSize: number;
}

async function heapOf(metricsUrl: string): Promise<Heap> {
  const text = await (await fetch(`${metricsUrl}/metrics`)).text();
  // Lines carry the service's default label: name{service="…",space="…"} value.
  const value = (pattern: RegExp) => Number(pattern.exec(text)?.[1] ?? Number.NaN);
  return {
    used: value(/^nodejs_heap_size_used_bytes(?:\{[^}]*\})? (\S+)$/m),
    oldSpaceUsed: value(/^nodejs_heap_space_size_used_bytes\{[^}]*space="old"[^}]*\} (\S+)$/m),
    newSpaceSize: value(/^nodejs_heap_space_size_total_bytes\{[^}]*space="new"[^}]*\} (\S+)$/m),
  };
}

async function heaps(urls: Record<Service, string>): Promise<Map<string, Heap>> {
  return new Map(await Promise.all(SERVICES.map(async (s) => [s, await heapOf(urls[s])] as const)));
}

/**
 * Where notification-service's mail goes: a sink that takes every message and keeps only the
 * count. Without one its outbox would pile up retries for ten minutes: an SMTP outage, not the
 * steady state the soak is about.
 */
async function mailSink(): Promise<{
  url: string;
  received: () => number;
  stop: () => Promise<void>;
}> {
  let received = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData: (stream, _session, callback) => {
      stream.resume();
      stream.once('end', () => {
        received++;
        callback();
      });
    },
  });
  const port = await freePort();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    url: `smtp://127.0.0.1:${port}`,
    received: () => received,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

// Unset: the checkout as it is. A commit: a worktree of it (bench/run.ts does the same).
const CODE = process.env.BENCH_COMMIT;
let worktree: Worktree | undefined;
let stack: Stack | undefined;
let mail: Awaited<ReturnType<typeof mailSink>> | undefined;
try {
  mail = await mailSink();
  const startStack = await stackStarter(ROOT, CODE, (w) => (worktree = w));
  log('starting the stack');
  stack = await startStack({
    env: {
      gateway: { RATE_LIMIT_PER_MINUTE: '100000000' },
      'notification-service': { SMTP_URL: mail.url },
    },
  });
  const gateway = stack.gatewayUrl;
  const watched: Watched[] = await Promise.all(
    SERVICES.map(async (name) => {
      const [pid] = await childPidsMatching(`${name}/dist/server.mjs`);
      if (pid === undefined) throw new Error(`no ${name} process`);
      return { name, pid };
    }),
  );
  await restock(gateway, (email) => login(gateway, email));
  const catalog = await readCatalog(gateway);
  const buyerEmail = await registerBuyer(gateway);
  const now = performance.now();
  const buyer = { email: buyerEmail, token: await login(gateway, buyerEmail), at: now };
  const sellers = new Map<string, Session>();
  for (const s of DEMO_SELLERS)
    sellers.set(s.id, { email: s.email, token: await login(gateway, s.email), at: now });
  const pool = gatewayPool(gateway);
  const soak = new Soak(gateway, pool, catalog, buyer, sellers);

  log(`warm-up: ${WARMUP} s at ${RATE} req/s`);
  await openLoop(soak, RATE, WARMUP);
  const memory: { at: string; sizes: Snapshot }[] = [
    { at: 'after the warm-up', sizes: await snapshot(watched) },
  ];
  const { metricsUrls } = stack;
  const heapAtStart = await heaps(metricsUrls);
  soak.measuring = true;
  log(`soak: ${SECONDS} s at ${RATE} req/s`);
  const started = Date.now();
  const sampler = setInterval(() => {
    void snapshot(watched).then((sizes) => {
      const minute = Math.round((Date.now() - started) / 60_000);
      memory.push({ at: `minute ${minute}`, sizes });
      log(`  minute ${minute}: ${soak.outcomes.length} requests so far`);
    });
  }, 60_000);
  await openLoop(soak, RATE, SECONDS);
  clearInterval(sampler);
  memory.push({ at: 'at the end', sizes: await snapshot(watched) });
  const heapAtEnd = await heaps(metricsUrls);
  await pool.close();

  log('checking every order and notification');
  const token = await login(gateway, buyerEmail);
  let ordersMissing = 0;
  for (const id of soak.placed.keys()) {
    const response = await fetch(`${gateway}/api/orders/${id}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    if (response.status !== 200) ordersMissing++;
    await response.arrayBuffer();
  }
  // Events flow after their commit: wait (at most 60 s) until the last ones have arrived.
  let notifications: Notification[] = [];
  const deadline = Date.now() + 60_000;
  for (;;) {
    notifications = await allNotifications(gateway, token);
    const placed = tally(notifications, 'order.placed', soak.placed.keys());
    const confirmed = tally(notifications, 'order.confirmed', soak.confirmed);
    if ((placed.missing === 0 && confirmed.missing === 0) || Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 2_000));
  }
  const placedTally = tally(notifications, 'order.placed', soak.placed.keys());
  const confirmedTally = tally(notifications, 'order.confirmed', soak.confirmed);

  const measured = soak.outcomes.filter((o) => o.measured);
  const fiveXx = measured.filter((o) => o.status >= 500).length;
  const first = memory[0]!.sizes;
  const last = memory.at(-1)!.sizes;
  // Growth over the second half too: a cache that fills early levels off, a leak keeps going.
  const half = memory[Math.floor((memory.length - 1) / 2)]!.sizes;
  const growthOf = (from: Snapshot, name: string) =>
    `${fixed(((last.get(name) ?? 0) / (from.get(name) || 1) - 1) * 100)} %`;
  const memoryRows = watched.map((w) => [
    w.name,
    ...memory.map((m) => mib(m.sizes.get(w.name) ?? 0)),
    growthOf(first, w.name),
    growthOf(half, w.name),
  ]);
  const worstGrowth = Math.max(
    ...watched.map((w) => (last.get(w.name) ?? 0) / (first.get(w.name) || 1) - 1),
  );
  const report = [
    `# \`npm run bench:soak\`, ${today()}`,
    '',
    `- machine: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), node ${process.version}; load average at the end ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' / ')}`,
    `- ${RATE} requests/s offered (open loop) for ${SECONDS} s after a ${WARMUP} s warm-up; mix per 20: ${MIX.map((m) => `${m.kind} ${m.per20}`).join(', ')}; a checkout is two products, an order per seller; a seller's action confirms its oldest unconfirmed order`,
    '',
    '## Requests (after the warm-up; latency from each request’s due time)',
    '',
    table(
      ['request', 'sent', 'as expected', 'p50 ms', 'p99 ms', 'max ms', 'errors by status'],
      kindRows(measured),
    ),
    '',
    '## Nothing lost',
    '',
    `Mail: ${mail.received()} messages delivered to the soak's SMTP sink.`,
    '',
    table(
      ['check', 'expected', 'missing', 'more than once'],
      [
        [
          'orders a checkout answered 201 for, readable by the buyer',
          String(soak.placed.size),
          String(ordersMissing),
          '–',
        ],
        [
          'buyer notified of each placed order',
          String(placedTally.expected),
          String(placedTally.missing),
          String(placedTally.twice),
        ],
        [
          'buyer notified of each confirmed order',
          String(confirmedTally.expected),
          String(confirmedTally.missing),
          String(confirmedTally.twice),
        ],
      ],
    ),
    '',
    '## Memory (RSS, MiB)',
    '',
    table(
      ['process', ...memory.map((m) => m.at), 'growth', 'growth over the second half'],
      memoryRows,
    ),
    '',
    '### V8 heap (MiB, from /metrics): after the warm-up → at the end',
    '',
    'Heap used includes garbage not yet collected; new space is the young generation, which V8 sizes up (once) under allocation pressure.',
    '',
    table(
      ['process', 'heap used', 'old space used', 'new space size'],
      SERVICES.map((name) => {
        const [a, b] = [heapAtStart.get(name), heapAtEnd.get(name)];
        const pair = (pick: (h: Heap) => number) =>
          a && b ? `${mib(pick(a))} → ${mib(pick(b))}` : '?';
        return [
          name,
          pair((h) => h.used),
          pair((h) => h.oldSpaceUsed),
          pair((h) => h.newSpaceSize),
        ];
      }),
    ),
    '',
    table(
      ['target', 'measured', 'met?'],
      [
        ['zero 5xx', String(fiveXx), fiveXx === 0 ? 'met' : '**not met**'],
        [
          'zero lost orders or events, none twice',
          String(
            ordersMissing +
              placedTally.missing +
              confirmedTally.missing +
              placedTally.twice +
              confirmedTally.twice,
          ),
          ordersMissing +
            placedTally.missing +
            confirmedTally.missing +
            placedTally.twice +
            confirmedTally.twice ===
          0
            ? 'met'
            : '**not met**',
        ],
        [
          'memory growth < 10 % after the warm-up (worst process)',
          `${fixed(worstGrowth * 100)} %`,
          worstGrowth < 0.1 ? 'met' : '**not met**',
        ],
      ],
    ),
    '',
  ].join('\n');
  process.stdout.write(`\n${report}`);
  await mkdir(`${ROOT}bench/results`, { recursive: true });
  await writeFile(`${ROOT}bench/results/${today()}-soak.md`, report);
  log(`written to bench/results/${today()}-soak.md`);
} finally {
  await stack?.stop();
  await mail?.stop();
  await worktree?.remove();
}
