import { DEMO_BUYER, DEMO_SELLERS, type ProductPage } from '@marketplace/contracts';
import { fixed, met, rps, table } from './markdown.ts';
import {
  MIX,
  closedLoop,
  gatewayPool,
  openLoop,
  readCatalog,
  storefrontSequence,
  type KindFigures,
  type LoadFigures,
} from './storefront.ts';

const log = (message: string) => process.stderr.write(`${message}\n`);
/** A generator this late at p99 no longer offers the load it says. */
const LAG_WARNING_MS = 5;

export interface StorefrontSettings {
  connections: number;
  seconds: number;
  warmupSeconds: number;
  rounds: number;
  openSeconds: number;
  rateFraction: number;
}

export interface StorefrontResult {
  max: LoadFigures[];
  fixedRate: LoadFigures;
  /** The same open loop at half the rate: how much of the tail is queueing. */
  halfRate: LoadFigures;
}

type Login = (email: string) => Promise<string>;

/** Every demo product gets stock enough for the run's checkouts (its seller adds it). */
export async function restock(gateway: string, login: Login): Promise<void> {
  for (const seller of DEMO_SELLERS) {
    const authorization = `Bearer ${await login(seller.email)}`;
    const response = await fetch(`${gateway}/api/products?sellerId=${seller.id}&limit=100`);
    const page = (await response.json()) as ProductPage;
    for (const product of page.items) {
      const res = await fetch(`${gateway}/api/products/${product.id}/stock`, {
        method: 'POST',
        headers: { authorization, 'content-type': 'application/json' },
        body: JSON.stringify({ delta: 100_000 }),
      });
      if (res.status !== 200) throw new Error(`restock ${product.id}: ${res.status}`);
    }
  }
}

/**
 * Section 3: the storefront mix through the gateway. Its maximum first (closed loop, best of
 * `rounds`), then an open loop at `rateFraction` of that maximum.
 */
export async function storefrontLoad(
  gateway: string,
  login: Login,
  settings: StorefrontSettings,
): Promise<StorefrontResult> {
  await restock(gateway, login);
  const catalog = await readCatalog(gateway);
  const next = storefrontSequence(catalog, `Bearer ${await login(DEMO_BUYER.email)}`);
  const pool = gatewayPool(gateway);
  try {
    log(`  warm-up ${settings.warmupSeconds} s`);
    await closedLoop(pool, next, settings.connections, settings.warmupSeconds);
    const max: LoadFigures[] = [];
    for (let round = 1; round <= settings.rounds; round++) {
      const result = await closedLoop(pool, next, settings.connections, settings.seconds);
      log(`  max, round ${round}: ${rps(result.rps)} req/s`);
      max.push(result);
    }
    const best = Math.max(...max.map((m) => m.rps));
    const rate = Math.max(1, Math.round(best * settings.rateFraction));
    log(`  open loop at ${rate} req/s for ${settings.openSeconds} s`);
    const fixedRate = await openLoop(pool, next, rate, settings.openSeconds);
    const half = Math.max(1, Math.round(rate / 2));
    log(`  open loop at ${half} req/s for ${settings.openSeconds} s`);
    const halfRate = await openLoop(pool, next, half, settings.openSeconds);
    return { max, fixedRate, halfRate };
  } finally {
    await pool.close();
  }
}

const errorsText = (k: KindFigures): string =>
  k.errors.size === 0
    ? '0'
    : [...k.errors.entries()]
        .sort(([a], [b]) => a - b)
        .map(([status, count]) => `${count} × ${status === 0 ? 'no answer' : status}`)
        .join(', ');

function kindTable(figures: LoadFigures): string {
  const share = (kind: string) => MIX.find((m) => m.kind === kind)?.per20 ?? 0;
  const rows = figures.byKind.map((k) => [
    k.kind === 'all' ? '**all**' : k.kind,
    k.kind === 'all' ? '100 %' : `${share(k.kind) * 5} %`,
    String(k.requests),
    String(k.ok),
    fixed(k.p50),
    fixed(k.p975),
    fixed(k.p99),
    fixed(k.max),
    errorsText(k),
  ]);
  return table(
    [
      'request',
      'share',
      'sent',
      'as expected',
      'p50 ms',
      'p97.5 ms',
      'p99 ms',
      'max ms',
      'errors by status',
    ],
    rows,
    [0, 8],
  );
}

export function storefrontMarkdown(result: StorefrontResult, settings: StorefrontSettings): string {
  const best = result.max.reduce((a, b) => (b.rps > a.rps ? b : a));
  const open = result.fixedRate;
  const all = open.byKind.find((k) => k.kind === 'all')!;
  const errors = all.requests - all.ok;
  const kinds = open.byKind.filter((k) => k.kind !== 'all' && k.requests > 0);
  const mix = MIX.map((m) => `${m.kind} ${m.per20 * 5} %`).join(', ');
  return [
    `Mix: ${mix}; every request as the signed-in demo buyer, each checkout one unit with a fresh ` +
      'Idempotency-Key (every demo product restocked first).',
    '',
    `**Maximum**, closed loop at ${settings.connections} connections for ${settings.seconds} s, ` +
      `best of ${result.max.length}: **${rps(best.rps)} req/s** ` +
      `(${result.max.map((m) => rps(m.rps)).join(' / ')}). The best round:`,
    '',
    kindTable(best),
    '',
    `**Fixed rate**, open loop at ${fixed(settings.rateFraction * 100, 0)} % of the maximum: ` +
      `**${rps(open.offeredRps ?? 0)} req/s offered for ${settings.openSeconds} s**. Latency counts ` +
      "from each request's due time; the generator started requests late by " +
      `${fixed(open.startLagMs?.p99 ?? 0)} ms at p99, ${fixed(open.startLagMs?.max ?? 0)} ms at worst` +
      ((open.startLagMs?.p99 ?? 0) > LAG_WARNING_MS
        ? ' (**the generator lagged**: its CPU was busy, so the load was burstier than offered; redo on a quiet machine).'
        : '.'),
    '',
    kindTable(open),
    '',
    table(
      ['target at the fixed rate', 'measured', 'met?'],
      [
        ['zero errors', String(errors), met(errors === 0)],
        [
          'p99 ≤ 4 × p50, all requests',
          `${fixed(all.p99)} ms = ${fixed(all.p99 / all.p50, 2)} × p50 (${fixed(all.p50)} ms)`,
          met(all.p99 <= 4 * all.p50),
        ],
        // Checkouts are slower than pages by nature: over the mix, the top 1 % is mostly them.
        [
          'p99 ≤ 4 × p50, within each kind',
          kinds.map((k) => `${k.kind} ${fixed(k.p99 / k.p50, 2)}×`).join(', '),
          met(kinds.every((k) => k.p99 <= 4 * k.p50)),
        ],
      ],
    ),
    '',
    tailAtHalf(result.halfRate),
  ].join('\n');
}

/** One line on the open loop at half the rate: a tail that stays is not queueing. */
function tailAtHalf(half: LoadFigures): string {
  const all = half.byKind.find((k) => k.kind === 'all')!;
  const kinds = half.byKind.filter((k) => k.kind !== 'all' && k.requests > 0);
  return (
    `At half that rate (${rps(half.offeredRps ?? 0)} req/s, for comparison): p50 ${fixed(all.p50)} ms, ` +
    `p99 ${fixed(all.p99)} ms = ${fixed(all.p99 / all.p50, 2)} × p50; within kinds ` +
    `${kinds.map((k) => `${k.kind} ${fixed(k.p99 / k.p50, 2)}×`).join(', ')}; ` +
    `${all.requests - all.ok} errors; the generator's lag ${fixed(half.startLagMs?.p99 ?? 0)} ms at p99.`
  );
}
