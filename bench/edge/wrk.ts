import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { pinnedCommand } from './processes.ts';

const run = promisify(execFile);
const REPORT_SCRIPT = fileURLToPath(new URL('report.lua', import.meta.url));
export const WRK = process.env.BENCH_WRK ?? '/usr/bin/wrk';

export interface WrkOptions {
  seconds: number;
  connections: number;
  threads: number;
  headers?: Record<string, string>;
  /** The CPU list wrk is pinned to (taskset -c), or undefined to leave it free. */
  cpu: string | undefined;
}

export interface WrkResult {
  rps: number;
  /** Milliseconds. */
  p50: number;
  p99: number;
  requests: number;
  /** Non-2xx/3xx answers. */
  badStatus: number;
  /** Connect, read and write errors and timeouts (wrk's default timeout is 2 s). */
  socketErrors: number;
  /** Bytes per response, headers included: tells whether every target sent the same answer. */
  bytesPerResponse: number;
}

interface WrkSummary {
  requests: number;
  durationUs: number;
  bytes: number;
  connect: number;
  read: number;
  write: number;
  status: number;
  timeout: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** One closed-loop wrk run against `url`. */
export async function wrk(url: string, options: WrkOptions): Promise<WrkResult> {
  const args = [
    `-t${options.threads}`,
    `-c${options.connections}`,
    `-d${options.seconds}s`,
    '-s',
    REPORT_SCRIPT,
    ...Object.entries(options.headers ?? {}).flatMap(([name, value]) => [
      '-H',
      `${name}: ${value}`,
    ]),
    url,
  ];
  const [command, ...rest] = pinnedCommand(WRK, args, options.cpu);
  const { stdout } = await run(command!, rest, { timeout: (options.seconds + 30) * 1000 });
  const line = stdout.split('\n').find((l) => l.startsWith('WRK_JSON '));
  if (!line) throw new Error(`wrk printed no summary for ${url}:\n${stdout}`);
  const s = JSON.parse(line.slice('WRK_JSON '.length)) as WrkSummary;
  return {
    rps: s.requests / (s.durationUs / 1e6),
    p50: s.p50 / 1000,
    p99: s.p99 / 1000,
    requests: s.requests,
    badStatus: s.status,
    socketErrors: s.connect + s.read + s.write + s.timeout,
    bytesPerResponse: s.requests > 0 ? s.bytes / s.requests : 0,
  };
}
