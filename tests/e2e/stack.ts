import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Connection } from 'rabbitmq-client';
import { dropDatabase } from '@marketplace/db';
import { consumerQueues, unroutedQueueName } from '@marketplace/events';
import {
  TEST_MYSQL_URL,
  TEST_RABBITMQ_URL,
  freePort,
  uniqueName,
  waitFor,
} from '@marketplace/testing';
import { serviceCommand } from '../../scripts/lib/build.mjs';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

const SERVICES = [
  'user-service',
  'product-service',
  'order-service',
  'notification-service',
  'gateway',
] as const;
export type Service = (typeof SERVICES)[number];

export interface Stack {
  gatewayUrl: string;
  urls: Record<Service, string>;
  /** Where each service answers /metrics (the gateway: its internal ops listener). */
  metricsUrls: Record<Service, string>;
  /** Stops one service (SIGTERM) and waits for its exit; for resilience scenarios. */
  stopService(service: Service): Promise<void>;
  /** Kills one service (SIGKILL: no shutdown hook runs) and waits for its exit; for crash tests. */
  killService(service: Service): Promise<void>;
  startService(service: Service): Promise<void>;
  /** Each service's own database name (on TEST_MYSQL_URL), for tests that inspect or age rows. */
  databases: Record<Exclude<Service, 'gateway'>, string>;
  logs(service: Service): string;
  /** Resident memory of each running service process, in bytes (Linux /proc). */
  memory(): Promise<Record<string, number>>;
  stop(): Promise<void>;
}

/**
 * Starts the five services as real processes, the way `npm start` does, on free ports, with
 * databases, an exchange and a queue of this run's own, so parallel runs never meet.
 */
export interface StackOptions {
  /** Extra environment per service, e.g. a RABBITMQ_URL through a proxy a test can cut. */
  env?: Partial<Record<Service, Record<string, string>>>;
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  // The same bundles `npm start` and the images run (scripts/lib/build.mjs), built from the sources now.
  execFileSync(process.execPath, ['scripts/build-services.mjs', ...SERVICES], {
    cwd: ROOT,
    stdio: 'ignore',
  });
  const run = uniqueName('e2e');
  const ports = Object.fromEntries(
    await Promise.all(SERVICES.map(async (s) => [s, await freePort()] as const)),
  ) as Record<Service, number>;
  const urls = Object.fromEntries(
    SERVICES.map((s) => [s, `http://127.0.0.1:${ports[s]}`]),
  ) as Record<Service, string>;
  // The gateway answers /ready on its internal ops listener only.
  const gatewayOpsUrl = `http://127.0.0.1:${await freePort()}`;
  const databases = {
    'user-service': `${run}_users`,
    'product-service': `${run}_products`,
    'order-service': `${run}_orders`,
    'notification-service': `${run}_notifications`,
  };
  const exchange = `${run}.events`;
  const queue = `${run}.notifications`;
  const productQueue = `${run}.products`;
  const common = {
    MYSQL_URL: TEST_MYSQL_URL,
    RABBITMQ_URL: TEST_RABBITMQ_URL,
    EVENTS_EXCHANGE: exchange,
    JWKS_URL: `${urls['user-service']}/.well-known/jwks.json`,
    INTERNAL_TOKEN: `${run}-internal`,
    LOG_LEVEL: 'info',
    SEED_DEMO: 'true',
    HOST: '127.0.0.1',
  };
  const env: Record<Service, Record<string, string>> = {
    'user-service': {
      ...common,
      PORT: String(ports['user-service']),
      DB_NAME: databases['user-service'],
    },
    'product-service': {
      ...common,
      PORT: String(ports['product-service']),
      DB_NAME: databases['product-service'],
      EVENTS_QUEUE: productQueue,
    },
    'order-service': {
      ...common,
      PORT: String(ports['order-service']),
      DB_NAME: databases['order-service'],
      PRODUCT_SERVICE_URL: urls['product-service'],
    },
    'notification-service': {
      ...common,
      PORT: String(ports['notification-service']),
      DB_NAME: databases['notification-service'],
      EVENTS_QUEUE: queue,
    },
    gateway: {
      ...common,
      PORT: String(ports.gateway),
      USER_SERVICE_URL: urls['user-service'],
      PRODUCT_SERVICE_URL: urls['product-service'],
      ORDER_SERVICE_URL: urls['order-service'],
      NOTIFICATION_SERVICE_URL: urls['notification-service'],
      RATE_LIMIT_PER_MINUTE: '100000',
      OPS_PORT: new URL(gatewayOpsUrl).port,
    },
  };

  const children = new Map<Service, ChildProcess>();
  const output = new Map<Service, string[]>();

  const start = async (service: Service): Promise<void> => {
    const lines = output.get(service) ?? [];
    output.set(service, lines);
    const child = spawn(process.execPath, serviceCommand(service), {
      cwd: ROOT,
      env: { ...process.env, ...env[service], ...options.env?.[service] },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (chunk: Buffer): void => {
      lines.push(chunk.toString('utf8'));
      if (lines.length > 2000) lines.splice(0, lines.length - 2000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    children.set(service, child);
    await waitFor(
      async () => {
        if (child.exitCode !== null)
          throw new Error(
            `${service} exited with ${child.exitCode}:\n${lines.join('').slice(-3000)}`,
          );
        const base = service === 'gateway' ? gatewayOpsUrl : urls[service];
        const response = await fetch(`${base}/ready`);
        return response.ok ? true : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 100, what: `${service} to be ready` },
    ).catch((error: unknown) => {
      throw new Error(
        `${error instanceof Error ? error.message : String(error)}\n${lines.join('').slice(-3000)}`,
      );
    });
  };

  const stopService = async (service: Service): Promise<void> => {
    const child = children.get(service);
    // A killed child has a signalCode and no exitCode.
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };

  const killService = async (service: Service): Promise<void> => {
    const child = children.get(service);
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await exited;
  };

  const stack: Stack = {
    gatewayUrl: urls.gateway,
    urls,
    metricsUrls: { ...urls, gateway: gatewayOpsUrl },
    stopService,
    killService,
    databases,
    startService: start,
    logs: (service) => (output.get(service) ?? []).join(''),
    async memory() {
      const entries = await Promise.all(
        [...children.entries()].map(async ([service, child]) => {
          const status = await readFile(`/proc/${child.pid}/status`, 'utf8').catch(() => '');
          const kib = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
          return [service, kib * 1024] as const;
        }),
      );
      return Object.fromEntries(entries);
    },
    async stop() {
      await Promise.all(SERVICES.map((s) => stopService(s)));
      await Promise.all(Object.values(databases).map((d) => dropDatabase(TEST_MYSQL_URL, d)));
      const broker = new Connection(TEST_RABBITMQ_URL);
      try {
        const queues = [queue, productQueue].flatMap((name) => Object.values(consumerQueues(name)));
        for (const q of queues) await broker.queueDelete({ queue: q.queue });
        await broker.queueDelete({ queue: unroutedQueueName(exchange) });
        await broker.exchangeDelete({ exchange });
        await broker.exchangeDelete({ exchange: `${exchange}.live` });
        await broker.exchangeDelete({ exchange: unroutedQueueName(exchange) });
      } finally {
        await broker.close();
      }
    },
  };

  try {
    // user-service first: every other service verifies tokens with its JWKS.
    await start('user-service');
    await Promise.all(
      ['product-service', 'order-service', 'notification-service'].map((s) => start(s as Service)),
    );
    await start('gateway');
  } catch (error) {
    await stack.stop().catch(() => undefined);
    throw error;
  }
  return stack;
}
