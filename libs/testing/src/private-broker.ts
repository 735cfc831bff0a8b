import { spawn, execFile, type ChildProcess } from 'node:child_process';
import {
  chownSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './ports.ts';

const run = promisify(execFile);

/**
 * A RabbitMQ node of a suite's own (Debian's rabbitmq-server, on its own ports and data
 * directory), for tests that stop, restart or kill the broker: doing that to the shared one
 * would break every suite running alongside. Its data survives `restart()`, as a real broker's
 * does. Needs root (the server runs as the `rabbitmq` user), as on the project's machines.
 */
export class PrivateBroker {
  private child: ChildProcess | undefined;
  private readonly dir: string;
  readonly node: string;

  private constructor(
    readonly port: number,
    private readonly distPort: number,
  ) {
    this.node = `t${port}@localhost`;
    this.dir = mkdtempSync(join(tmpdir(), `rabbitmq-${port}-`));
    for (const sub of ['mnesia', 'log']) mkdirSync(join(this.dir, sub));
    writeFileSync(join(this.dir, 'enabled_plugins'), '[].\n');
    writeFileSync(join(this.dir, 'rabbitmq.conf'), `listeners.tcp.local = 127.0.0.1:${port}\n`);
    const [, uid, gid] = (
      /^rabbitmq:[^:]*:(\d+):(\d+)/m.exec(readFileSync('/etc/passwd', 'utf8')) ?? []
    ).map(Number);
    if (uid === undefined || gid === undefined)
      throw new Error('no rabbitmq user: is rabbitmq-server installed?');
    const paths = ['', 'mnesia', 'log', 'enabled_plugins', 'rabbitmq.conf'];
    for (const path of paths) chownSync(join(this.dir, path), uid, gid);
  }

  /**
   * Starts a node on `port` (AMQP) and a free port of its own for Erlang distribution (not
   * `port + 20000`: from the ephemeral range that passes 65535 about half the time, and the node
   * then exits at start).
   */
  static async start(port: number): Promise<PrivateBroker> {
    const broker = new PrivateBroker(port, await freePort());
    await broker.startNode();
    return broker;
  }

  get url(): string {
    return `amqp://guest:guest@127.0.0.1:${this.port}`;
  }

  private env(): NodeJS.ProcessEnv {
    return {
      ...process.env,
      RABBITMQ_NODENAME: this.node,
      RABBITMQ_CONFIG_FILE: join(this.dir, 'rabbitmq'),
      RABBITMQ_DIST_PORT: String(this.distPort),
      RABBITMQ_MNESIA_BASE: join(this.dir, 'mnesia'),
      RABBITMQ_LOG_BASE: join(this.dir, 'log'),
      RABBITMQ_ENABLED_PLUGINS_FILE: join(this.dir, 'enabled_plugins'),
      RABBITMQ_FEATURE_FLAGS_FILE: join(this.dir, 'feature_flags'),
      RABBITMQ_PID_FILE: join(this.dir, 'pid'),
    };
  }

  private async startNode(): Promise<void> {
    const child = spawn('rabbitmq-server', [], { env: this.env(), stdio: 'ignore' });
    this.child = child;
    const deadline = Date.now() + 60_000;
    while (!(await accepts(this.port))) {
      if (child.exitCode !== null) throw new Error(`rabbitmq-server exited (${child.exitCode})`);
      if (Date.now() > deadline) throw new Error(`rabbitmq node ${this.node} did not start`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  /** A clean shutdown, as `systemctl stop` would do; queues and messages stay on disk. */
  async stop(): Promise<void> {
    await run('rabbitmqctl', ['-n', this.node, 'stop'], { env: this.env() }).catch(() => undefined);
    await this.reap('SIGKILL');
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.startNode();
  }

  /** Stops the node for good and deletes its data. */
  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Waits for the node's processes to be gone, killing what is left after a few seconds. */
  private async reap(signal: NodeJS.Signals): Promise<void> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const pids = this.pids();
      if (pids.length === 0) break;
      if (Date.now() > deadline) for (const pid of pids) killQuietly(pid, signal);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    this.child = undefined;
  }

  /** The node's OS processes, found by the node name in their environment. */
  private pids(): number[] {
    const mine: number[] = [];
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const environ = readFileSync(`/proc/${entry}/environ`, 'utf8');
        if (environ.includes(`RABBITMQ_NODENAME=${this.node}\0`)) mine.push(Number(entry));
      } catch {
        // gone already, or not ours to read
      }
    }
    return mine;
  }
}

function killQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
