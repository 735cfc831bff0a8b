#!/usr/bin/env node
// `npm start`: installs what is missing, checks MySQL and RabbitMQ (starting them when they do not
// answer on this machine: Docker Compose, else the installed server), builds the SPA when stale,
// and runs the five services (migrating and seeding the demo data) until Ctrl+C.
// Plain Node with no dependencies: it runs before anything is installed.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { color, fail, requireNode, say } from './lib/console.mjs';
import { ensureFrontendBuilt } from './lib/frontend.mjs';
import { buildServices } from './lib/build.mjs';
import { ensureInstalled } from './lib/install.mjs';
import { formatLogLine } from './lib/log-format.mjs';
import {
  detectTools,
  leftRunning,
  planBackingServers,
  startBackingServers,
  stopBackingServers,
} from './lib/backing-servers.mjs';
import { displayUrl, probeBackingServices } from './lib/preflight.mjs';
import { demoAccounts, planMailCatcher, planServices } from './lib/services.mjs';
import { portIsFree, StartupError, Supervisor } from './lib/supervisor.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const startedAt = Date.now();

requireNode();

let plan;
let mail;
try {
  plan = planServices(ROOT);
  // Without SMTP_URL, mail goes to a local catcher whose inbox the banner prints.
  mail = planMailCatcher(ROOT);
  if (mail) plan.find((s) => s.name === 'notification-service').env.SMTP_URL = mail.smtpUrl;
} catch (error) {
  fail(error.message);
  process.exit(1);
}

// preparing → starting → running → stopping; a crash or a signal is handled once, by whoever comes
// first.
let phase = 'preparing';
let supervisor = null;
// The backing servers npm start started itself: the only ones it ever stops.
let backingStarted = [];
let backingPending = null;
let exiting = null;
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));

await ensureInstalled(ROOT);
await ensureBackingServices();
await checkPorts();
await ensureFrontendBuilt(ROOT);
try {
  // Always rebuilt: it takes about a second, and a stale bundle would be a silent surprise.
  const ms = await buildServices(
    ROOT,
    plan.map((s) => s.name),
  );
  say(`Built the services in ${ms} ms`);
} catch (error) {
  fail(`The services did not build: ${error instanceof Error ? error.message : String(error)}`);
  await exit(1);
}
// A signal during the preparation: shutdown() stops what was started and exits.
if (phase !== 'preparing') await new Promise(() => {});

const width = Math.max(...plan.map((s) => s.label.length), mail ? mail.label.length : 0);
phase = 'starting';
supervisor = new Supervisor({
  root: ROOT,
  logDir: join(ROOT, '.run', 'logs'),
  width,
  onUnexpectedExit: (record) => void stopAfterCrash(record),
});

startAll().then(
  () => {
    if (phase !== 'starting') return;
    phase = 'running';
    printBanner();
  },
  (error) => void reportStartupFailure(error),
);

/** MySQL and RabbitMQ answer, or are started here (see backing-servers.mjs), or it stops. */
async function ensureBackingServices() {
  const checks = await probeBackingServices({
    mysqlUrl: plan[0].env.MYSQL_URL,
    rabbitmqUrl: plan[0].env.RABBITMQ_URL,
  });
  for (const { check, url, result } of checks) {
    if (result.ok) say(`${check.name} answers at ${displayUrl(url)} (${result.detail})`);
  }
  if (checks.every(({ result }) => result.ok)) return;
  const uid = process.getuid?.() ?? -1;
  const isRoot = uid === 0;
  const tools = await detectTools({ root: ROOT, env: process.env, isRoot });
  const { actions, failures } = planBackingServers({ checks, tools, isRoot, uid });
  // One that cannot be started: starting the other would not help.
  if (failures.length > 0) {
    for (const failure of failures) fail(failure);
    process.exit(1);
  }
  backingPending = startBackingServers(actions, {
    root: ROOT,
    env: process.env,
    say,
    timeoutMs: Number(process.env.BACKING_START_TIMEOUT_SECONDS || 180) * 1000,
  });
  const outcome = await backingPending;
  backingStarted = outcome.started;
  // Containers npm start created have credentials of their own: the services use those.
  for (const [name, url] of Object.entries(outcome.urls)) {
    for (const service of plan) service.env[name === 'MySQL' ? 'MYSQL_URL' : 'RABBITMQ_URL'] = url;
  }
  if (outcome.failures.length === 0) return;
  for (const failure of outcome.failures) fail(failure);
  await exit(1);
}

/**
 * Exits after stopping the backing servers npm start started (and only those). Once: a second
 * caller (a signal during a failure) waits for the first.
 */
function exit(code) {
  exiting ??= (async () => {
    if (backingStarted.length > 0) await stopBackingServers(backingStarted, { say, fail });
    backingStarted = [];
    process.exit(code);
  })();
  return exiting;
}

async function checkPorts() {
  const bindHost = process.env.HOST || '127.0.0.1';
  const busy = [];
  for (const service of plan) {
    if (!(await portIsFree(bindHost, service.port))) busy.push(service);
  }
  if (mail) {
    for (const [port, portVar] of [
      [mail.port, 'MAIL_UI_PORT'],
      [mail.smtpPort, 'MAIL_SMTP_PORT'],
    ]) {
      if (!(await portIsFree(connectHostOf(), port))) busy.push({ ...mail, port, portVar });
    }
  }
  if (busy.length === 0) return;
  for (const service of busy) {
    fail(
      `Port ${service.port} (${service.name}) is already in use: stop what listens there ` +
        `(\`lsof -i :${service.port}\` or \`ss -ltnp\` shows it; maybe an earlier npm start), ` +
        `or choose another with ${service.portVar}=<port>.`,
    );
  }
  await exit(1);
}

/** Where the mail catcher binds: the services' host, as the script reaches it. */
function connectHostOf() {
  return new URL(mail.url).hostname;
}

async function startAll() {
  const missing = plan.filter((s) => !existsSync(join(ROOT, s.name, 'src', 'server.ts')));
  if (missing.length > 0) {
    throw new Error(`no entry point: ${missing.map((s) => `${s.name}/src/server.ts`).join(', ')}`);
  }
  const deadline = startedAt + Number(process.env.START_TIMEOUT_SECONDS || 120) * 1000;
  if (mail) await supervisor.waitReady(supervisor.start(mail, plan.length), deadline);
  for (const stage of [0, 1, 2]) {
    const services = plan.filter((s) => s.stage === stage);
    say(`Starting ${services.map((s) => s.name).join(', ')}`);
    const records = services.map((s) => supervisor.start(s, plan.indexOf(s)));
    await Promise.all(records.map((record) => supervisor.waitReady(record, deadline)));
  }
  // One that was ready may have died while the later ones started.
  const dead = supervisor.records.find((r) => r.exit);
  if (dead) throw new StartupError(`${dead.service.name} exited during start-up`, dead);
}

async function reportStartupFailure(error) {
  if (phase !== 'starting') return;
  phase = 'stopping';
  fail(`Start-up failed: ${error.message}`);
  if (error instanceof StartupError) {
    process.stderr.write(
      `${color.bold(`Last lines of ${error.record.service.name}`)} ` +
        `(all of them in .run/logs/${error.record.service.name}.log):\n`,
    );
    printTail(error.record.tail);
  }
  await supervisor.stopAll();
  await exit(1);
}

function printBanner() {
  const gateway = plan.find((s) => s.name === 'gateway');
  const url = `http://localhost:${gateway.port}`;
  const demo = demoAccounts(ROOT);
  const seconds = ((Date.now() - startedAt) / 1000).toFixed(1);
  const lines = [
    '',
    color.bold(color.green(`Marketplace is running (started in ${seconds} s)`)),
    `  Open       ${color.bold(url)}`,
    `  API docs   ${url}/api/docs   (the document: ${url}/api/docs/openapi.json)`,
    `  Demo accounts, password ${color.bold(demo.password)}:`,
    `    buyer    ${demo.buyer}`,
    `    seller   ${demo.seller}`,
    `    admin    ${demo.admin}`,
    `  Services   ${plan.map((s) => `${s.label} ${s.port}`).join(', ')}; raw logs in .run/logs/`,
    mail
      ? `  Mail inbox ${color.bold(`http://localhost:${mail.port}`)}   (every mail the services send; SMTP ${mail.smtpPort})`
      : `  Mail       sent through SMTP_URL=${process.env.SMTP_URL}`,
    `  Stop with Ctrl+C.`,
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

async function stopAfterCrash(record) {
  // During start-up, waitReady reports the exit with the service's last lines.
  if (phase !== 'running') return;
  phase = 'stopping';
  const { code, signal } = record.exit;
  fail(
    `${record.service.name} stopped unexpectedly (${signal ?? `exit code ${code}`}); stopping the others.`,
  );
  printTail(record.tail.slice(-15));
  await supervisor.stopAll();
  await exit(1);
}

function printTail(lines) {
  if (lines.length === 0) process.stderr.write('  (it printed nothing)\n');
  for (const line of lines) process.stderr.write(`  ${formatLogLine(line)}\n`);
}

async function shutdown(signal) {
  if (phase === 'stopping') {
    // A second Ctrl+C: do not wait for a graceful shutdown any longer.
    supervisor?.killAll();
    for (const line of leftRunning(backingStarted)) fail(line);
    process.exit(130);
  }
  const preparing = phase === 'preparing';
  phase = 'stopping';
  if (preparing) {
    say(`${signal} received: stopping`);
    // A start in progress: wait for it, to know what to stop.
    if (backingPending) backingStarted = (await backingPending).started;
  } else {
    say(`${signal} received: stopping the services`);
    const forced = await supervisor.stopAll();
    if (forced) fail('Some services did not stop in time and were killed.');
  }
  await exit(0);
}
