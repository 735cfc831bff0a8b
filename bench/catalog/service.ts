import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { Connection } from 'rabbitmq-client';
import { consumerQueues, unroutedQueueName } from '@marketplace/events';
import { TEST_MYSQL_URL, TEST_RABBITMQ_URL, freePort, uniqueName } from '@marketplace/testing';

/** One product-service process started from a checkout's sources (tsx), as `npm run dev` does. */
export interface RunningService {
  url: string;
  /** Spawn to the first `GET /ready` 200: migrations, seeding and building the search index. */
  readyMs: number;
  rssBytes(): Promise<number>;
  stop(): Promise<void>;
}

export interface ServiceOptions {
  /** The repository root whose product-service/src/server.ts runs (the main checkout or a worktree). */
  root: string;
  database: string;
  seedDemo: boolean;
  logLevel: string;
  /** The 1M index build takes minutes on two shared cores. */
  readyTimeoutMs: number;
}

// The main checkout's tsx for both the baseline and the new code, so the loader is the same.
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

export async function startProductService(options: ServiceOptions): Promise<RunningService> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  // An exchange and queue of this process's own, so a run never takes another stack's events.
  const exchange = `${uniqueName('bench')}.events`;
  const queue = `${exchange}.products`;
  const lines: string[] = [];
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', tsxLoader, 'src/server.ts'], {
    cwd: join(options.root, 'product-service'),
    env: {
      ...process.env,
      MYSQL_URL: TEST_MYSQL_URL,
      DB_NAME: options.database,
      RABBITMQ_URL: TEST_RABBITMQ_URL,
      EVENTS_EXCHANGE: exchange,
      EVENTS_QUEUE: queue,
      // Public reads only: no token is ever verified, so no user-service is needed.
      JWKS_URL: 'http://127.0.0.1:9/.well-known/jwks.json',
      SEED_DEMO: String(options.seedDemo),
      LOG_LEVEL: options.logLevel,
      HOST: '127.0.0.1',
      PORT: String(port),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // The output must be drained (a full pipe would block the service's logger); the tail is kept for errors.
  const keep = (chunk: Buffer): void => {
    lines.push(chunk.toString('utf8'));
    if (lines.length > 500) lines.splice(0, lines.length - 500);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    await deleteBrokerTopology(exchange, queue);
  };

  try {
    await waitReady(url, options.readyTimeoutMs, () => child.exitCode !== null);
  } catch (error) {
    await stop();
    const tail = lines.join('').slice(-3000);
    throw new Error(
      `product-service (${options.root}) did not get ready: ${String(error)}\n${tail}`,
    );
  }
  return {
    url,
    readyMs: performance.now() - started,
    async rssBytes() {
      const status = await readFile(`/proc/${child.pid}/status`, 'utf8').catch(() => '');
      return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024;
    },
    stop,
  };
}

async function waitReady(url: string, timeoutMs: number, gone: () => boolean): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (gone()) throw new Error('the process exited');
    const ok = await fetch(`${url}/ready`)
      .then(async (response) => {
        await response.arrayBuffer();
        return response.ok;
      })
      .catch(() => false);
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`not ready after ${timeoutMs} ms`);
}

async function deleteBrokerTopology(exchange: string, queue: string): Promise<void> {
  const broker = new Connection(TEST_RABBITMQ_URL);
  try {
    for (const q of Object.values(consumerQueues(queue)))
      await broker.queueDelete({ queue: q.queue });
    await broker.queueDelete({ queue: unroutedQueueName(exchange) });
    await broker.exchangeDelete({ exchange });
    await broker.exchangeDelete({ exchange: unroutedQueueName(exchange) });
  } finally {
    await broker.close();
  }
}

/** A database name this bench owns (its cached catalogs are found and dropped by the prefix). */
export const BENCH_DB_PREFIX = 'bench_catalog_';

export function scratchDatabaseName(label: string): string {
  return uniqueName(`${BENCH_DB_PREFIX}${label}`).slice(0, 64);
}
