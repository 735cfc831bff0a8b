import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { serviceCommand } from './build.mjs';
import { formatLogLine, prefixer } from './log-format.mjs';

const TAIL_LINES = 40;

export class StartupError extends Error {
  constructor(message, record) {
    super(message);
    this.name = 'StartupError';
    this.record = record;
  }
}

/** Resolves true when nothing listens on host:port, so a service can bind it. */
export function portIsFree(host, port) {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs the services as child processes: prefixes and renders their logs, keeps the last lines of
 * each for error reports, writes the raw lines to `<logDir>/<service>.log`, and stops them all.
 */
export class Supervisor {
  constructor({ root, logDir, width, onUnexpectedExit }) {
    this.root = root;
    this.logDir = logDir;
    this.width = width;
    this.onUnexpectedExit = onUnexpectedExit;
    this.records = [];
    this.stopping = false;
    mkdirSync(logDir, { recursive: true });
  }

  start(service, index) {
    // A service runs its bundle; a helper (the mail catcher) brings its own command.
    const child = spawn(process.execPath, service.command ?? serviceCommand(service.name), {
      cwd: this.root,
      env: service.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const record = { service, child, tail: [], exit: null };
    record.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        record.exit = { code, signal };
        resolve(record.exit);
        if (!this.stopping) this.onUnexpectedExit?.(record);
      });
    });
    child.once('error', (error) => record.tail.push(`could not start: ${error.message}`));
    const raw = createWriteStream(join(this.logDir, `${service.name}.log`));
    const prefix = prefixer(service.label, index, this.width);
    const take = (line) => {
      raw.write(`${line}\n`);
      record.tail.push(line);
      if (record.tail.length > TAIL_LINES) record.tail.shift();
      process.stdout.write(`${prefix(formatLogLine(line))}\n`);
    };
    createInterface({ input: child.stdout }).on('line', take);
    createInterface({ input: child.stderr }).on('line', take);
    child.once('close', () => raw.end());
    this.records.push(record);
    return record;
  }

  /** Polls its readiness path until 200; fails early when the process exits or the deadline passes. */
  async waitReady(record, deadline) {
    const url = `${record.service.url}${record.service.readyPath}`;
    let last = 'no answer yet';
    for (;;) {
      if (record.exit) {
        const { code, signal } = record.exit;
        throw new StartupError(
          `${record.service.name} exited during start-up (${signal ?? `exit code ${code}`})`,
          record,
        );
      }
      try {
        const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
        if (response.ok) return;
        last = `${response.status} ${(await response.text()).slice(0, 200)}`;
      } catch (error) {
        last = error.cause?.code ?? error.message;
      }
      if (Date.now() > deadline) {
        throw new StartupError(
          `${record.service.name} was not ready at ${url} in time (last answer: ${last})`,
          record,
        );
      }
      await sleep(200);
    }
  }

  /** SIGTERM to every running child, SIGKILL to those still running after `timeoutMs`. */
  async stopAll(timeoutMs = 15_000) {
    this.stopping = true;
    const running = this.records.filter((r) => !r.exit);
    for (const record of running) record.child.kill('SIGTERM');
    const allExited = Promise.all(running.map((r) => r.exited));
    const timedOut = await Promise.race([
      allExited.then(() => false),
      sleep(timeoutMs).then(() => true),
    ]);
    if (timedOut) {
      for (const record of running.filter((r) => !r.exit)) record.child.kill('SIGKILL');
      await allExited;
    }
    return timedOut;
  }

  killAll() {
    this.stopping = true;
    for (const record of this.records.filter((r) => !r.exit)) record.child.kill('SIGKILL');
  }
}
