import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { cpus } from 'node:os';
import { waitFor } from '@marketplace/testing';

const TASKSET = '/usr/bin/taskset';

/**
 * Where things run: the load generators (wrk, this process) on one CPU, every server on another,
 * so each target gets the same core budget whatever else the run does. Off with BENCH_PIN=0, and
 * off by itself on one core or without taskset.
 */
export interface Placement {
  pinned: boolean;
  servers: string | undefined;
  load: string | undefined;
}

export function placement(): Placement {
  const wanted = process.env.BENCH_PIN !== '0';
  const pinned = wanted && cpus().length >= 2 && existsSync(TASKSET);
  return {
    pinned,
    servers: pinned ? (process.env.BENCH_SERVER_CPUS ?? '0') : undefined,
    load: pinned ? (process.env.BENCH_LOAD_CPUS ?? '1') : undefined,
  };
}

/** `command args` run under `taskset -c cpu` when a CPU list is given. */
export function pinnedCommand(command: string, args: string[], cpu: string | undefined): string[] {
  return cpu === undefined ? [command, ...args] : [TASKSET, '-c', cpu, command, ...args];
}

/** Moves a running process and all its threads to `cpu`. */
export function pin(pid: number, cpu: string | undefined): void {
  if (cpu === undefined) return;
  execFileSync(TASKSET, ['-a', '-p', '-c', cpu, String(pid)], { stdio: 'ignore' });
}

/** The pids of this process's children whose command line contains `needle`. */
export async function childPidsMatching(needle: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    // The parent pid is the second field after the parenthesised command name.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (ppid !== process.pid) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(needle)) pids.push(Number(entry));
  }
  return pids;
}

async function descendants(pid: number): Promise<number[]> {
  const tasks = await readdir(`/proc/${pid}/task`).catch(() => []);
  const children: number[] = [];
  for (const task of tasks) {
    const list = await readFile(`/proc/${pid}/task/${task}/children`, 'utf8').catch(() => '');
    children.push(...list.split(' ').filter(Boolean).map(Number));
  }
  const deeper = await Promise.all(children.map(descendants));
  return [...children, ...deeper.flat()];
}

/** Resident memory of a process and its descendants (nginx: master and worker), in bytes. */
export async function rssOfTree(pid: number): Promise<number> {
  const pids = [pid, ...(await descendants(pid))];
  const sizes = await Promise.all(
    pids.map(async (p) => {
      const status = await readFile(`/proc/${p}/status`, 'utf8').catch(() => '');
      return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024;
    }),
  );
  return sizes.reduce((a, b) => a + b, 0);
}

/** A server this bench started itself (nginx, the Express peer, the raw node:http server). */
export interface Server {
  name: string;
  pid: number;
  logs(): string;
  stop(): Promise<void>;
}

export async function startServer(
  name: string,
  command: string,
  args: string[],
  options: { cpu: string | undefined; env?: Record<string, string>; readyUrl: string },
): Promise<Server> {
  const [file, ...rest] = pinnedCommand(command, args, options.cpu);
  // taskset execs the command: the child's pid is the server's.
  const child: ChildProcess = spawn(file!, rest, {
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const keep = (chunk: Buffer): void => {
    lines.push(chunk.toString('utf8'));
    if (lines.length > 200) lines.splice(0, lines.length - 200);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const server: Server = {
    name,
    pid: child.pid ?? 0,
    logs: () => lines.join(''),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
  try {
    // waitFor retries a probe that throws: an exit is returned instead, to stop at once.
    const state = await waitFor(
      async () => {
        if (child.exitCode !== null) return 'exited';
        return (await fetch(options.readyUrl)).ok ? 'ready' : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 100, what: `${name} to answer ${options.readyUrl}` },
    );
    if (state === 'exited') throw new Error(`${name} exited with ${child.exitCode}`);
  } catch (error) {
    await server.stop();
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`${message}\n${server.logs().slice(-2000)}`);
  }
  return server;
}
