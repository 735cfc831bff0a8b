/**
 * What the gateway costs: the same catalog request straight to product-service (the baseline)
 * and through the gateway, plus an authenticated request, in one process against one stack.
 * Prints throughput, p50/p99 latency and the stack's memory. Run: `npm run bench`.
 */
import { performance } from 'node:perf_hooks';
import { DEMO_BUYER, DEMO_PASSWORD } from '@marketplace/contracts';
import { startStack } from '../tests/e2e/stack.ts';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 3000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);

interface Result {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

async function load(
  name: string,
  url: string,
  headers: Record<string, string> = {},
): Promise<Result> {
  const latencies: number[] = [];
  let errors = 0;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < REQUESTS) {
      next += 1;
      const started = performance.now();
      const response = await fetch(url, { headers });
      await response.arrayBuffer();
      latencies.push(performance.now() - started);
      if (!response.ok) errors += 1;
    }
  };
  // warm-up: JIT, connection pools, the gateway's token cache
  for (let i = 0; i < 50; i++) await (await fetch(url, { headers })).arrayBuffer();
  const started = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return { name, rps: latencies.length / seconds, p50: at(0.5), p99: at(0.99), errors };
}

// Request logging is on (info) as in production; BENCH_LOG_LEVEL=warn shows what it costs.
const logLevel = process.env.BENCH_LOG_LEVEL ?? 'info';
const services = [
  'user-service',
  'product-service',
  'order-service',
  'notification-service',
  'gateway',
] as const;
const stack = await startStack({
  env: Object.fromEntries(services.map((s) => [s, { LOG_LEVEL: logLevel }])),
});
try {
  const login = await fetch(`${stack.gatewayUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: DEMO_BUYER.email, password: DEMO_PASSWORD }),
  });
  const { accessToken } = (await login.json()) as { accessToken: string };
  const auth = { authorization: `Bearer ${accessToken}` };
  const results = [
    await load(
      'catalog, product-service direct (baseline)',
      `${stack.urls['product-service']}/api/products?limit=20`,
    ),
    await load('catalog, through the gateway', `${stack.gatewayUrl}/api/products?limit=20`),
    await load(
      'search q=wireless, through the gateway',
      `${stack.gatewayUrl}/api/products?q=wireless&limit=20`,
    ),
    await load(
      'GET /api/users/me, user-service direct (baseline)',
      `${stack.urls['user-service']}/api/users/me`,
      auth,
    ),
    await load(
      'GET /api/users/me, through the gateway (JWT verified twice)',
      `${stack.gatewayUrl}/api/users/me`,
      auth,
    ),
  ];
  console.log(
    `\n${REQUESTS} requests per row, concurrency ${CONCURRENCY}, log level ${logLevel}, node ${process.version}\n`,
  );
  console.log('| scenario | req/s | p50 ms | p99 ms | errors |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  for (const r of results) {
    console.log(
      `| ${r.name} | ${r.rps.toFixed(0)} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${r.errors} |`,
    );
  }
  const memory = await stack.memory();
  console.log('\n| process | RSS MiB |\n| --- | ---: |');
  let total = 0;
  for (const [service, bytes] of Object.entries(memory)) {
    total += bytes;
    console.log(`| ${service} | ${(bytes / 2 ** 20).toFixed(1)} |`);
  }
  console.log(`| all five | ${(total / 2 ** 20).toFixed(1)} |`);
} finally {
  await stack.stop();
}
