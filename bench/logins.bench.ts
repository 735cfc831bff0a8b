/**
 * What a login costs at the parameters in use (scrypt N=2^17, r=8, p=1; 2 hashes at once, 4
 * waiting): one hash alone (the baseline), hashes per second at 1, 2 and 4 at once, and logins
 * through user-service's routes (app.inject, real database) with 2, 6 and 12 clients at once:
 * p50/p99 of the accepted ones and how many were refused with 503 busy. One process, one table.
 * Run: `npm run bench:logins` (needs the MariaDB of the tests).
 */
import { performance } from 'node:perf_hooks';
import {
  createTestDatabase,
  silentLogger,
  TEST_MYSQL_URL,
  TEST_RABBITMQ_URL,
} from '@marketplace/testing';
import { createBroker, unroutedQueueName } from '@marketplace/events';
import { buildApp, prepare } from '../user-service/src/app.ts';
import { loadConfig } from '../user-service/src/config.ts';
import { createPasswordHasher } from '../user-service/src/domain/password.ts';

const COST = Number(process.env.BENCH_SCRYPT_COST ?? 131_072);
const HASHES = Number(process.env.BENCH_HASHES ?? 24);
const LOGINS = Number(process.env.BENCH_LOGINS ?? 36);
const PASSWORD = 'correct horse battery staple';

interface Row {
  name: string;
  perSecond: number;
  p50: number;
  p99: number;
  refused: number;
  refusedP50: number | undefined;
}

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;

/**
 * `clients` loops at once calling `once` until `total` calls succeeded; a refused call (false)
 * is timed apart and retried after a short pause, as a client honouring Retry-After would not
 * hammer. Per second counts the successes.
 */
async function closedLoop(
  name: string,
  clients: number,
  total: number,
  once: () => Promise<boolean>,
): Promise<Row> {
  const latencies: number[] = [];
  const refusals: number[] = [];
  let started = 0;
  const worker = async () => {
    while (started < total) {
      started += 1;
      const begun = performance.now();
      if (await once()) {
        latencies.push(performance.now() - begun);
      } else {
        refusals.push(performance.now() - begun);
        started -= 1;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  };
  const begun = performance.now();
  await Promise.all(Array.from({ length: clients }, worker));
  const seconds = (performance.now() - begun) / 1000;
  latencies.sort((a, b) => a - b);
  refusals.sort((a, b) => a - b);
  return {
    name,
    perSecond: latencies.length / seconds,
    p50: quantile(latencies, 0.5),
    p99: quantile(latencies, 0.99),
    refused: refusals.length,
    refusedP50: refusals.length > 0 ? quantile(refusals, 0.5) : undefined,
  };
}

const rows: Row[] = [];

// Baseline: one hash at a time, nothing else running.
const alone = createPasswordHasher({ cost: COST, maxConcurrent: 1 });
await alone.hash('warm-up');
rows.push(
  await closedLoop('one hash alone (baseline)', 1, 8, () => alone.hash(PASSWORD).then(() => true)),
);
for (const concurrency of [1, 2, 4]) {
  const hasher = createPasswordHasher({ cost: COST, maxConcurrent: concurrency });
  rows.push(
    await closedLoop(`hashes, ${concurrency} at once`, concurrency * 2, HASHES, () =>
      hasher.hash(PASSWORD).then(() => true),
    ),
  );
}

const database = await createTestDatabase('bench_logins');
const exchange = `bench.logins.${process.pid}`;
const config = loadConfig({
  MYSQL_URL: TEST_MYSQL_URL,
  RABBITMQ_URL: TEST_RABBITMQ_URL,
  DB_NAME: database.name,
  EVENTS_EXCHANGE: exchange,
  SCRYPT_COST: String(COST),
  LOG_LEVEL: 'silent',
});
await prepare(config, silentLogger);
const { app } = await buildApp(config, { logger: false });
try {
  const email = `bench-${process.pid}@example.test`;
  const registered = await app.inject({
    method: 'POST',
    url: '/api/auth/register',
    payload: { email, password: PASSWORD, name: 'Bench' },
  });
  if (registered.statusCode !== 201) throw new Error(`register: ${registered.body}`);
  let client = 0;
  // Each login from its own address (as the gateway names it): the throttle counts a login in
  // flight as a failure until it succeeds, and this measures the hasher, not the throttle.
  const login = async () => {
    client += 1;
    const response = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { email, password: PASSWORD },
      headers: {
        'x-forwarded-for': `10.${(client >> 16) & 255}.${(client >> 8) & 255}.${client & 255}`,
      },
    });
    if (response.statusCode === 200) return true;
    if (response.statusCode === 503) return false;
    throw new Error(`login answered ${response.statusCode}: ${response.body}`);
  };
  await login();
  for (const clients of [2, 6, 12]) {
    rows.push(
      await closedLoop(
        `logins, ${clients} clients (${config.PASSWORD_HASH_CONCURRENCY} at once, ${config.PASSWORD_HASH_QUEUE} queued)`,
        clients,
        LOGINS,
        login,
      ),
    );
  }
} finally {
  await app.close();
  await database.drop();
  const broker = createBroker(TEST_RABBITMQ_URL, silentLogger, 'bench-logins');
  await broker.queueDelete({ queue: unroutedQueueName(exchange) });
  await broker.exchangeDelete({ exchange });
  await broker.exchangeDelete({ exchange: unroutedQueueName(exchange) });
  await broker.close();
}

console.log(
  `\nscrypt N=${COST}, r=8, p=1; libuv pool ${process.env.UV_THREADPOOL_SIZE ?? 4} threads\n`,
);
console.table(
  rows.map((r) => ({
    scenario: r.name,
    'per second': r.perSecond.toFixed(2),
    'p50 ms': r.p50.toFixed(0),
    'p99 ms': r.p99.toFixed(0),
    'refused (503)': r.refused,
    '503 p50 ms': r.refusedP50 === undefined ? '' : r.refusedP50.toFixed(1),
  })),
);
