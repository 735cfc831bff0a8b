/**
 * `npm run bench`: the gateway and the service kit at the framework's limit, in one run on one
 * stack (the five services as real processes, as the e2e suite starts them, demo data):
 *   1. the same catalog page four ways: product-service direct, our gateway, nginx, an Express peer;
 *   2. `GET /health` of each service against a raw node:http server;
 *   3. a storefront mix through the gateway at 60 % of its measured maximum, open loop;
 *   4. every process's memory, idle and under load.
 * wrk (closed loop) and this process run on one CPU, the servers on the other. Prints Markdown and
 * writes it to bench/results/<date>-bench.md. Knobs and how to read it: bench/README.md.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { DEMO_BUYER } from '@marketplace/contracts';
import type { Service, Stack } from '../tests/e2e/stack.ts';
import type { Worktree } from './catalog/checkouts.ts';
import {
  measureAll,
  ratiosTable,
  resultsTable,
  type ClosedLoopSettings,
  type Measured,
} from './edge/closed-loop.ts';
import { fixed, met, table } from './edge/markdown.ts';
import { memoryTable, peakSampler, snapshot, type Watched } from './edge/memory.ts';
import { NGINX, startNginx } from './edge/nginx.ts';
import { startExpressPeer, startNodeFloor, startRawServer } from './edge/peers.ts';
import { childPidsMatching, pin, placement, type Server } from './edge/processes.ts';
import { storefrontLoad, storefrontMarkdown } from './edge/storefront-section.ts';
import { login, positiveNumber, stackStarter, today } from './edge/settings.ts';
import { WRK } from './edge/wrk.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SERVICES: readonly Service[] = [
  'user-service',
  'product-service',
  'order-service',
  'notification-service',
  'gateway',
];

const num = positiveNumber;
const SECONDS = num('BENCH_SECONDS', 10);
const CONNECTIONS = num('BENCH_CONNECTIONS', 32);
const THREADS = num('BENCH_THREADS', 1);
const ROUNDS = num('BENCH_ROUNDS', 2);
const WARMUP = num('BENCH_WARMUP_SECONDS', 2);
const OPEN_SECONDS = num('BENCH_OPEN_SECONDS', 2 * SECONDS);
const RATE_FRACTION = num('BENCH_RATE_FRACTION', 0.6);
// Request logging on, as in production; BENCH_LOG_LEVEL=warn shows what it costs.
const LOG_LEVEL = process.env.BENCH_LOG_LEVEL ?? 'info';

const log = (message: string) => process.stderr.write(`${message}\n`);
const git = (...args: string[]) =>
  execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();
const loads = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' / ');

/** The pid of each service the stack started (its children running `<service>/dist/server.mjs`). */
async function servicePids(): Promise<Watched[]> {
  return Promise.all(
    SERVICES.map(async (name) => {
      const pids = await childPidsMatching(`${name}/dist/server.mjs`);
      if (pids.length !== 1) throw new Error(`expected one ${name} process, found ${pids.length}`);
      return { name, pid: pids[0]! };
    }),
  );
}

const missing = [WRK, NGINX].filter((file) => !existsSync(file));
if (missing.length > 0) {
  log(`missing ${missing.join(' and ')}: install Debian's with \`apt-get install -y wrk nginx\``);
  process.exit(1);
}
const place = placement();
const settings: ClosedLoopSettings = {
  seconds: SECONDS,
  warmupSeconds: WARMUP,
  rounds: ROUNDS,
  connections: CONNECTIONS,
  threads: THREADS,
  cpu: place.load,
};
// This process generates section 3's load: on the load CPU too (the stack inherits it until
// its services are moved to the servers' CPU below).
pin(process.pid, place.load);

const startedAt = new Date();
// `wrk --version` prints its version and exits 1.
const wrkVersion = /wrk (\S+)/.exec(
  spawnSync(WRK, ['--version'], { encoding: 'utf8' }).stdout,
)?.[1];
const loadAtStart = loads();
// Before the bench adds any load of its own: above 1, something else was using a core.
const busyAtStart = (loadavg()[0] ?? 0) > 1;
// Unset: the checkout as it is (uncommitted work included). A commit: a worktree of it, so a run
// is repeatable while others edit (and works while their edit does not build).
const CODE = process.env.BENCH_COMMIT;
const commit = git('log', '-1', '--format=%h %cs %s', CODE ?? 'HEAD').replace(/^(.{90}).+$/, '$1…');
const dirty = !CODE && git('status', '--porcelain', '--untracked-files=no') !== '';
let worktree: Worktree | undefined;
let stack: Stack | undefined;
const servers: Server[] = [];
const stopAll = async () => {
  await Promise.all(servers.map((s) => s.stop()));
  await stack?.stop();
  await worktree?.remove();
};
process.once('SIGINT', () => {
  log('interrupted: stopping what the bench started');
  void stopAll().finally(() => process.exit(130));
});

try {
  const startStack = await stackStarter(ROOT, CODE, (w) => (worktree = w));
  log(`building and starting the stack (LOG_LEVEL ${LOG_LEVEL})`);
  stack = await startStack({
    env: Object.fromEntries(
      SERVICES.map((s) => [
        s,
        // The rate limiter still runs on every request; its limit is raised past what the bench sends.
        s === 'gateway'
          ? { LOG_LEVEL: LOG_LEVEL, RATE_LIMIT_PER_MINUTE: '100000000' }
          : { LOG_LEVEL: LOG_LEVEL },
      ]),
    ),
  });
  const services = await servicePids();
  for (const s of services) pin(s.pid, place.servers);
  const product = stack.urls['product-service'];
  const userService = stack.urls['user-service'];
  const nginx = await startNginx(product, place.servers);
  servers.push(nginx);
  const peer = await startExpressPeer(place.servers, {
    productService: product,
    jwks: `${userService}/.well-known/jwks.json`,
  });
  servers.push(peer);
  const floor = await startNodeFloor(place.servers, product);
  servers.push(floor);
  const raw = await startRawServer(place.servers);
  servers.push(raw);
  const watched: Watched[] = [
    ...services,
    { name: 'nginx (master + worker)', pid: nginx.pid },
    { name: 'Express peer', pid: peer.pid },
    { name: 'Node floor', pid: floor.pid },
    { name: 'raw node:http', pid: raw.pid },
  ];
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  const idle = await snapshot(watched);
  const sampler = peakSampler(watched);

  log('1. the catalog page four ways');
  const bearer = { authorization: `Bearer ${await login(userService, DEMO_BUYER.email)}` };
  const page = '/api/products?limit=20';
  const catalog = await measureAll(
    [
      { name: '(a) product-service direct', url: `${product}${page}` },
      { name: '(b) our gateway, with token', url: `${stack.gatewayUrl}${page}`, headers: bearer },
      { name: '(c) nginx (the ceiling)', url: `${nginx.url}${page}` },
      { name: '(d) Express peer, with token', url: `${peer.url}${page}`, headers: bearer },
      { name: '(e) Node floor: node:http + undici', url: `${floor.url}${page}` },
    ],
    settings,
  );

  log('2. GET /health against raw node:http');
  const health = await measureAll(
    [
      ...SERVICES.map((s) => ({ name: s, url: `${stack!.urls[s]}/health` })),
      { name: 'raw node:http', url: `${raw.url}/health` },
    ],
    settings,
  );

  log('3. the storefront mix through the gateway');
  const storefrontSettings = {
    connections: CONNECTIONS,
    seconds: SECONDS,
    warmupSeconds: WARMUP,
    rounds: ROUNDS,
    openSeconds: OPEN_SECONDS,
    rateFraction: RATE_FRACTION,
  };
  const storefront = await storefrontLoad(
    stack.gatewayUrl,
    (email) => login(userService, email),
    storefrontSettings,
  );

  const peak = await sampler.stop();
  const after = await snapshot(watched);
  const loadAtEnd = loads();

  const [direct, gateway, ceiling, express, nodeFloor] = catalog as [
    Measured,
    Measured,
    Measured,
    Measured,
    Measured,
  ];
  const catalogTable = resultsTable(catalog, (m) => [fixed(m.best.bytesPerResponse, 0)]);
  const rawHealth = health.at(-1)!;
  const healthTable = resultsTable(health, (m) => {
    const ratio = m.best.rps / rawHealth.best.rps;
    if (m === rawHealth) return ['1.00×', '–', '–'];
    const errors = m.rounds.some((r) => r.badStatus + r.socketErrors > 0);
    return [`${fixed(ratio, 2)}×`, '≥ 0.75×', errors ? '**not met** (errors)' : met(ratio >= 0.75)];
  });
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const report = [
    `# \`npm run bench\`, ${today()}`,
    '',
    `- code: \`${commit}\`${CODE ? ` (BENCH_COMMIT=${CODE}: a worktree of it)` : dirty ? ', plus uncommitted changes in the checkout (the stack bundles the working tree)' : ''}`,
    `- machine: ${cpus().length} cores (${cpu}), node ${process.version}, wrk ${wrkVersion ?? '?'}, started ${startedAt.toISOString()}`,
    `- load average (1 / 5 / 15 min): at start ${loadAtStart}, at end ${loadAtEnd}`,
    ...(busyAtStart
      ? [
          '- **other work was running** (load average above 1 before the bench started): the ' +
            'figures are lower and noisier than on a quiet machine; compare only with runs made beside them',
        ]
      : []),
    `- closed loop: \`wrk -t${THREADS} -c${CONNECTIONS} -d${SECONDS}s\` per target, after a ${WARMUP} s warm-up each, ` +
      `${ROUNDS} rounds over all targets, the best kept`,
    place.pinned
      ? `- CPUs: wrk and this process (section 3's generator) on CPU ${place.load}; every server (the five services, nginx, the Express peer, the Node floor, raw node:http) on CPU ${place.servers}; MariaDB and RabbitMQ unpinned`
      : '- CPUs: not pinned (BENCH_PIN=0, one core, or no taskset)',
    `- services' LOG_LEVEL: ${LOG_LEVEL} (failed and slow requests logged, a REQUEST_LOG_SAMPLE share of the rest: 0.1 unless set); the gateway's rate limit raised to 10⁸/min (the limiter still runs)`,
    '',
    '## 1. The same catalog request four ways, and the Node floor',
    '',
    '`GET /api/products?limit=20`, the first page of the demo catalog.',
    '',
    table([...catalogTable.headers, 'bytes/answer'], catalogTable.rows),
    '',
    ratiosTable([
      { name: 'gateway / nginx', of: gateway, to: ceiling, target: 0.6 },
      { name: 'gateway / Express peer', of: gateway, to: express, target: 2 },
      { name: 'gateway / direct', of: gateway, to: direct },
      { name: 'nginx / direct', of: ceiling, to: direct },
      { name: 'Express peer / direct', of: express, to: direct },
      { name: 'Node floor / nginx', of: nodeFloor, to: ceiling },
      { name: 'gateway / Node floor', of: gateway, to: nodeFloor },
    ]),
    '',
    '## 2. A trivial route: `GET /health` against raw node:http',
    '',
    table([...healthTable.headers, 'ratio to raw', 'target', 'met?'], healthTable.rows),
    '',
    '## 3. A storefront mix through the gateway, at a fixed rate',
    '',
    storefrontMarkdown(storefront, storefrontSettings),
    '',
    '## 4. Memory (RSS)',
    '',
    'Idle: 2 s after every process started, before any load. Peak: the highest of samples every ' +
      '500 ms through sections 1 to 3 (each server is loaded only during its own runs).',
    '',
    memoryTable(watched, SERVICES, idle, peak, after),
    '',
  ].join('\n');

  process.stdout.write(`\n${report}`);
  const file = `bench/results/${today()}-bench.md`;
  await mkdir(`${ROOT}bench/results`, { recursive: true });
  await writeFile(`${ROOT}${file}`, report);
  log(`written to ${file}`);
} finally {
  await stopAll();
}
