import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Client, Pool } from 'undici';

/** Latencies of one kind of request, one at a time. */
export interface Latency {
  p50: number;
  p95: number;
  samples: number;
  errors: number;
  /** Mean items per answer: a search that finds nothing is cheap and would flatter the figures. */
  meanItems: number;
  /** Requests left out when the kind's time budget ran out. */
  notRun?: number;
}

export interface Throughput {
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  errors: number;
  seconds: number;
  /** The 1-minute load average at the end: this run's own two busy processes, plus whatever else runs. */
  loadAverage: number;
}

export function percentile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

/** The q-quantile of unsorted `values` as milliseconds with one decimal; '–' when none. */
export function msAt(values: readonly number[], q: number): string {
  if (values.length === 0) return '–';
  return percentile(
    values.toSorted((a, b) => a - b),
    q,
  ).toFixed(1);
}

interface Answer {
  status: number;
  body: string;
}

/** One keep-alive connection: the "single client" of the targets. */
export class SingleClient {
  private readonly client: Client;
  private firstError: string | undefined;

  constructor(url: string, timeoutMs = 10_000) {
    // A query that takes minutes (a bad plan at 1M) must cost a timeout, not the whole run.
    this.client = new Client(url, {
      keepAliveTimeout: 60_000,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
  }

  /** Status 0 when the request failed (timeout, connection closed); never throws. */
  async get(path: string): Promise<Answer> {
    try {
      const { statusCode, body } = await this.client.request({ method: 'GET', path });
      const text = await body.text();
      if (statusCode !== 200)
        this.firstError ??= `${statusCode} GET ${path}: ${text.slice(0, 300)}`;
      return { status: statusCode, body: text };
    } catch (error) {
      this.firstError ??= `GET ${path}: ${error instanceof Error ? error.message : String(error)}`;
      return { status: 0, body: '' };
    }
  }

  /** The first non-200 answer seen, to print once instead of failing the whole run. */
  get error(): string | undefined {
    return this.firstError;
  }

  /**
   * Times each path once, in order (each is a different query, so no answer cache serves it);
   * stops when `budgetMs` is spent, counting the rest as not run.
   */
  async time(paths: readonly string[], budgetMs = Number.POSITIVE_INFINITY): Promise<Latency> {
    const latencies: number[] = [];
    let errors = 0;
    let items = 0;
    const until = performance.now() + budgetMs;
    for (const path of paths) {
      if (performance.now() > until) break;
      const started = performance.now();
      const answer = await this.get(path);
      latencies.push(performance.now() - started);
      if (answer.status !== 200) errors += 1;
      else items += countItems(answer.body);
    }
    return { ...summarise(latencies, errors, items), notRun: paths.length - latencies.length };
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}

export function summarise(
  latencies: number[],
  errors: number,
  items: number,
  answered = latencies.length - errors,
): Latency {
  const sorted = [...latencies].sort((a, b) => a - b);
  const ok = answered;
  return {
    p50: percentile(sorted, 0.5),
    p95: percentile(sorted, 0.95),
    samples: latencies.length,
    errors,
    meanItems: ok > 0 ? items / ok : 0,
  };
}

/** A page's item count, or 1 for a single product. */
export function countItems(body: string): number {
  const parsed = JSON.parse(body) as { items?: unknown[] };
  return Array.isArray(parsed.items) ? parsed.items.length : 1;
}

/** `connections` requests in flight at all times for `seconds`, over as many keep-alive sockets. */
export async function throughput(
  url: string,
  path: string,
  connections: number,
  seconds: number,
): Promise<Throughput> {
  const pool = new Pool(url, { connections, keepAliveTimeout: 60_000 });
  const latencies: number[] = [];
  let errors = 0;
  try {
    const once = async (): Promise<number> => {
      const { statusCode, body } = await pool.request({ method: 'GET', path });
      // Read to the end like a client would (dump() would cut a body over 128 KiB).
      await body.arrayBuffer();
      return statusCode;
    };
    // Warm-up: opens the sockets and lets the JIT settle before the clock starts.
    const warmUntil = performance.now() + 2_000;
    await Promise.all(
      Array.from({ length: connections }, async () => {
        while (performance.now() < warmUntil) await once();
      }),
    );
    const started = performance.now();
    const until = started + seconds * 1000;
    await Promise.all(
      Array.from({ length: connections }, async () => {
        while (performance.now() < until) {
          const sent = performance.now();
          const status = await once().catch(() => 0);
          latencies.push(performance.now() - sent);
          if (status !== 200) errors += 1;
        }
      }),
    );
    const elapsed = (performance.now() - started) / 1000;
    latencies.sort((a, b) => a - b);
    return {
      rps: latencies.length / elapsed,
      p50: percentile(latencies, 0.5),
      p99: percentile(latencies, 0.99),
      requests: latencies.length,
      errors,
      seconds: elapsed,
      loadAverage: loadavg()[0] ?? 0,
    };
  } finally {
    await pool.close();
  }
}
