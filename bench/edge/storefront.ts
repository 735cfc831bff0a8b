import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import type { ProductPage } from '@marketplace/contracts';
import { percentile } from '../catalog/measure.ts';

export type Kind = 'catalog page' | 'search' | 'product page' | 'checkout';

/** Out of every 20 requests: what a storefront's traffic looks like, browsing far above buying. */
export const MIX: readonly { kind: Kind; per20: number }[] = [
  { kind: 'catalog page', per20: 10 },
  { kind: 'search', per20: 4 },
  { kind: 'product page', per20: 5 },
  { kind: 'checkout', per20: 1 },
];

/** The 20 slots of a mix in smooth weighted round robin: rare kinds spread out, not bunched. */
export function interleave<K>(mix: readonly { kind: K; per20: number }[]): K[] {
  const current = mix.map(() => 0);
  const order: K[] = [];
  for (let slot = 0; slot < 20; slot++) {
    mix.forEach(({ per20 }, i) => (current[i]! += per20));
    const best = current.indexOf(Math.max(...current));
    current[best]! -= 20;
    order.push(mix[best]!.kind);
  }
  return order;
}

interface Request {
  kind: Kind;
  method: 'GET' | 'POST';
  path: string;
  body?: string;
  headers: Record<string, string>;
  expect: number;
}

export interface Catalog {
  /** The catalog's pages as the SPA walks them: the first, then each `nextCursor`. */
  pages: string[];
  productIds: string[];
  /** Words from the products' titles, for `?q=`. */
  words: string[];
}

/** Walks the catalog through `base` (every page, every product id, words of titles). */
export async function readCatalog(base: string): Promise<Catalog> {
  const pages = ['/api/products?limit=20'];
  const productIds: string[] = [];
  const words = new Set<string>();
  for (let i = 0; i < pages.length && i < 20; i++) {
    const response = await fetch(`${base}${pages[i]}`);
    if (!response.ok) throw new Error(`GET ${pages[i]}: ${response.status}`);
    const page = (await response.json()) as ProductPage;
    for (const product of page.items) {
      productIds.push(product.id);
      for (const word of product.title.toLowerCase().split(/[^a-z]+/))
        if (word.length >= 5) words.add(word);
    }
    if (page.nextCursor)
      pages.push(`/api/products?limit=20&cursor=${encodeURIComponent(page.nextCursor)}`);
  }
  if (productIds.length === 0) throw new Error('the catalog is empty: is SEED_DEMO on?');
  return { pages, productIds, words: [...words].slice(0, 24) };
}

const SHIPPING = {
  name: 'Bench Buyer',
  line1: '1 Main St',
  city: 'Springfield',
  postalCode: '12345',
  country: 'US',
};

/**
 * The mix as a fixed, repeating sequence (not random), so every run and both loops send the same
 * requests in the same proportions. Every request carries the buyer's token, as the SPA of a
 * signed-in buyer does; each checkout is one unit of one product with a fresh Idempotency-Key.
 */
export function storefrontSequence(catalog: Catalog, authorization: string): () => Request {
  const order = interleave(MIX);
  const counters = new Map<Kind, number>();
  let n = 0;
  const auth = { authorization };
  return () => {
    const kind = order[n++ % order.length]!;
    const i = counters.get(kind) ?? 0;
    counters.set(kind, i + 1);
    const pick = <T>(list: readonly T[]): T => list[i % list.length]!;
    switch (kind) {
      case 'catalog page':
        return { kind, method: 'GET', path: pick(catalog.pages), headers: auth, expect: 200 };
      case 'search':
        return {
          kind,
          method: 'GET',
          path: `/api/products?q=${encodeURIComponent(pick(catalog.words))}&limit=20`,
          headers: auth,
          expect: 200,
        };
      case 'product page':
        return {
          kind,
          method: 'GET',
          path: `/api/products/${pick(catalog.productIds)}`,
          headers: auth,
          expect: 200,
        };
      case 'checkout':
        return {
          kind,
          method: 'POST',
          path: '/api/orders',
          body: JSON.stringify({
            items: [{ productId: pick(catalog.productIds), quantity: 1 }],
            shippingAddress: SHIPPING,
          }),
          headers: { ...auth, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
          expect: 201,
        };
    }
  };
}

interface Outcome {
  kind: Kind;
  /** Milliseconds, from when the request was due (open loop) or sent (closed loop). */
  latency: number;
  /** 0 when the request failed without an answer (refused, reset, timed out). */
  status: number;
  ok: boolean;
}

export interface KindFigures {
  kind: Kind | 'all';
  requests: number;
  ok: number;
  p50: number;
  p975: number;
  p99: number;
  max: number;
  /** Count by status of the answers that were not the expected one (0: no answer). */
  errors: Map<number, number>;
}

export interface LoadFigures {
  seconds: number;
  rps: number;
  byKind: KindFigures[];
  /** Open loop only: how late the generator started requests (its own lag), p99 and worst. */
  startLagMs?: { p99: number; max: number };
  offeredRps?: number;
}

function figures(kind: Kind | 'all', outcomes: Outcome[]): KindFigures {
  const latencies = outcomes.map((o) => o.latency).sort((a, b) => a - b);
  const errors = new Map<number, number>();
  for (const o of outcomes) if (!o.ok) errors.set(o.status, (errors.get(o.status) ?? 0) + 1);
  return {
    kind,
    requests: outcomes.length,
    ok: outcomes.length - [...errors.values()].reduce((a, b) => a + b, 0),
    p50: percentile(latencies, 0.5),
    p975: percentile(latencies, 0.975),
    p99: percentile(latencies, 0.99),
    max: latencies.at(-1) ?? Number.NaN,
    errors,
  };
}

function summarise(outcomes: Outcome[], seconds: number): LoadFigures {
  return {
    seconds,
    rps: outcomes.length / seconds,
    byKind: [
      ...MIX.map(({ kind }) =>
        figures(
          kind,
          outcomes.filter((o) => o.kind === kind),
        ),
      ),
      figures('all', outcomes),
    ],
  };
}

export function gatewayPool(base: string): Pool {
  // Enough sockets that an open loop never waits for one: a wait would be the client's queue.
  return new Pool(base, {
    connections: 512,
    keepAliveTimeout: 60_000,
    headersTimeout: 10_000,
    bodyTimeout: 10_000,
  });
}

async function send(pool: Pool, request: Request): Promise<number> {
  const { statusCode, body } = await pool.request({
    method: request.method,
    path: request.path,
    headers: request.headers,
    ...(request.body === undefined ? {} : { body: request.body }),
  });
  await body.arrayBuffer();
  return statusCode;
}

async function timed(pool: Pool, request: Request, from: number): Promise<Outcome> {
  const status = await send(pool, request).catch(() => 0);
  return {
    kind: request.kind,
    latency: performance.now() - from,
    status,
    ok: status === request.expect,
  };
}

/** `connections` requests of the mix in flight at all times for `seconds`: its maximum rate. */
export async function closedLoop(
  pool: Pool,
  next: () => Request,
  connections: number,
  seconds: number,
): Promise<LoadFigures> {
  const outcomes: Outcome[] = [];
  const started = performance.now();
  const until = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < until) {
        outcomes.push(await timed(pool, next(), performance.now()));
      }
    }),
  );
  return summarise(outcomes, (performance.now() - started) / 1000);
}

/**
 * Open loop: request i starts at start + i/rate whatever the earlier ones are doing, and its
 * latency counts from that due time, so a slow answer cannot hide the requests queued behind it.
 */
export async function openLoop(
  pool: Pool,
  next: () => Request,
  rate: number,
  seconds: number,
): Promise<LoadFigures> {
  const total = Math.round(rate * seconds);
  const pending: Promise<Outcome>[] = [];
  const start = performance.now();
  const lags: number[] = [];
  while (pending.length < total) {
    const now = performance.now();
    const due = Math.min(total, Math.floor(((now - start) * rate) / 1000) + 1);
    while (pending.length < due) {
      const dueAt = start + (pending.length * 1000) / rate;
      lags.push(now - dueAt);
      pending.push(timed(pool, next(), dueAt));
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  const outcomes = await Promise.all(pending);
  lags.sort((a, b) => a - b);
  return {
    ...summarise(outcomes, seconds),
    offeredRps: rate,
    startLagMs: { p99: percentile(lags, 0.99), max: lags.at(-1) ?? 0 },
  };
}
