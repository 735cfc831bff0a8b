import { chmod, copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { freePort, waitFor } from '@marketplace/testing';
import { ROOT } from './repo.ts';
import { fakeBackingServices, portEnv, runScript, startSandbox } from './sandbox.ts';

// npm start, run for real against stub services in a temporary copy of scripts/.
describe('npm start (scripts/start.mjs)', () => {
  let sandbox: Awaited<ReturnType<typeof startSandbox>>;
  let backing: Awaited<ReturnType<typeof fakeBackingServices>>;

  // A PATH with no docker and no installed servers: the instructions, whatever this machine has.
  let emptyBin: string;

  beforeAll(async () => {
    sandbox = await startSandbox();
    backing = await fakeBackingServices();
    emptyBin = await mkdtemp(join(tmpdir(), 'start-script-path-'));
  });
  afterAll(async () => {
    await backing.close();
    await sandbox.remove();
    await rm(emptyBin, { recursive: true, force: true });
  });

  it('when RabbitMQ is unreachable, then it names the URL, says how to start it, and exits 1', async () => {
    const closed = `amqp://guest:secret@127.0.0.1:${await freePort()}`;
    const run = runScript(sandbox.root, {
      ...(await portEnv()),
      MYSQL_URL: backing.env.MYSQL_URL,
      RABBITMQ_URL: closed,
      PATH: emptyBin,
    });
    expect(await run.exited).toBe(1);
    expect(run.output()).toContain(
      `RabbitMQ is not reachable at ${closed.replace('secret', '***')}`,
    );
    expect(run.output()).toContain('rabbitmq-server -detached');
    expect(run.output()).not.toContain('secret');
    expect(run.output()).not.toContain('Starting');
  });

  it('when something else answers on the MySQL port, then it says so and exits 1', async () => {
    const run = runScript(sandbox.root, {
      ...(await portEnv()),
      MYSQL_URL: backing.env.RABBITMQ_URL.replace('amqp', 'mysql'),
      RABBITMQ_URL: backing.env.RABBITMQ_URL,
      PATH: emptyBin,
    });
    expect(await run.exited).toBe(1);
    expect(run.output()).toMatch(/MySQL is not reachable at .*is it the right server/);
    expect(run.output()).toContain(
      'start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd',
    );
  }, 10_000);

  it('when a service fails during start-up, then it shows its last lines and stops the others', async () => {
    const run = runScript(sandbox.root, {
      ...(await portEnv()),
      ...backing.env,
      STUB_FAIL: 'order-service',
    });
    expect(await run.exited).toBe(1);
    expect(run.output()).toContain('order-service exited during start-up (exit code 3)');
    expect(run.output()).toContain('cannot start: STUB_FAIL');
    expect(run.output()).toMatch(/user\s+│ .*INFO\s+stopping/);
  }, 30_000);

  it('when all are ready, then it prints the URL and demo accounts, and SIGTERM stops them all', async () => {
    const ports = await portEnv();
    const run = runScript(sandbox.root, { ...ports, ...backing.env });
    await waitFor(() => (run.output().includes('Stop with Ctrl+C') ? true : undefined), {
      timeoutMs: 30_000,
      what: `the start banner; output so far:\n${run.output()}`,
    });
    const output = run.output();
    expect(output).toContain(`http://localhost:${ports.GATEWAY_PORT}`);
    expect(output).toContain('/api/docs/openapi.json');
    expect(output).toMatch(/buyer\s+buyer@demo\.marketplace\.test/);
    // The development mail catcher ran (a real maildev) and its inbox is printed.
    expect(output).toContain(`Mail inbox http://localhost:${ports.MAIL_UI_PORT}`);
    const inbox = await fetch(`http://127.0.0.1:${ports.MAIL_UI_PORT}/`, {
      headers: { accept: 'text/html' },
    });
    expect(inbox.status).toBe(200);
    expect(output).toMatch(/started in \d+\.\d s/);
    // user-service first, the gateway last, each told its port and where the JWKS is.
    expect(output.indexOf('Starting user-service')).toBeLessThan(
      output.indexOf('Starting gateway'),
    );
    expect(output).toContain(
      `jwks=http://127.0.0.1:${ports.USER_SERVICE_PORT}/.well-known/jwks.json`,
    );
    expect(output).toMatch(
      /notification │ \d\d:\d\d:\d\d\.\d{3} INFO\s+listening port=\d+ seed=true/,
    );

    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
    expect(run.output().match(/│ .*INFO\s+stopping/g)).toHaveLength(5);
  }, 40_000);
});

// Fake docker, docker-compose, start-stop-daemon, mariadbd, mariadb-admin, rabbitmq-server and
// rabbitmqctl: each records its call, and "starting" a server spawns a tiny detached process that
// answers like MySQL or RabbitMQ on the port it was given; "stopping" it kills that process.
const FAKE_LIB = String.raw`
const { spawn } = require('node:child_process');
const { appendFileSync, existsSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const net = require('node:net');
const { join } = require('node:path');
const dir = __dirname;
const RECORDED = ['MYSQL_HOST_PORT', 'AMQP_HOST_PORT', 'MYSQL_ROOT_PASSWORD', 'RABBITMQ_USER',
  'RABBITMQ_PASSWORD', 'INTERNAL_TOKEN', 'RABBITMQ_NODE_PORT', 'MYSQL_PWD'];

function serve(kind, port) {
  if (!port) throw new Error('no port for ' + kind);
  const child = spawn(process.execPath, [__filename, 'serve', kind, port], { detached: true, stdio: 'ignore' });
  child.unref();
  writeFileSync(join(dir, kind + '.pid'), String(child.pid));
}
function kill(kind) {
  const file = join(dir, kind + '.pid');
  if (!existsSync(file)) return;
  try { process.kill(Number(readFileSync(file, 'utf8')), 'SIGTERM'); } catch {}
  rmSync(file);
}
function compose(args) {
  const services = args.slice(1).filter((a) => !a.startsWith('-') && !a.includes('='));
  if (args[0] === 'version') return 0;
  if (args[0] === 'ps') { process.stdout.write(process.env.FAKE_COMPOSE_RUNNING || ''); return 0; }
  if (args[0] === 'up') {
    for (const s of services) serve(s === 'mysql' ? 'mysql' : 'amqp', process.env[s === 'mysql' ? 'MYSQL_HOST_PORT' : 'AMQP_HOST_PORT']);
    return 0;
  }
  if (args[0] === 'stop') { for (const s of services) kill(s === 'mysql' ? 'mysql' : 'amqp'); return 0; }
  return 2;
}
function behave(name, args) {
  const env = process.env;
  switch (name) {
    case 'docker':
      if (args[0] === 'info') return Number(env.FAKE_DOCKER_INFO || 0);
      if (args[0] === 'compose') return env.FAKE_COMPOSE_V2 === '0' ? 1 : compose(args.slice(1));
      return 2;
    case 'docker-compose': return compose(args);
    case 'start-stop-daemon': {
      const port = args.find((a) => a.startsWith('--port='));
      if (args[0] !== '--start' || !port) return 2;
      serve('mysql', port.slice('--port='.length));
      return 0;
    }
    case 'rabbitmq-server':
      if (args[0] !== '-detached') return 2;
      serve('amqp', env.RABBITMQ_NODE_PORT);
      return 0;
    case 'rabbitmqctl':
      if (args[0] === 'ping') return env.FAKE_RABBIT_RUNNING === '1' ? 0 : 69;
      if (args[0] === 'stop') { kill('amqp'); return 0; }
      return 2;
    case 'mariadb-admin':
      if (!args.includes('shutdown')) return 2;
      kill('mysql');
      return 0;
    default: return 0;
  }
}
exports.main = (name) => {
  const args = process.argv.slice(2);
  const env = Object.fromEntries(RECORDED.filter((k) => k in process.env).map((k) => [k, process.env[k]]));
  appendFileSync(join(dir, 'calls.log'), JSON.stringify({ name, args, env }) + '\n');
  process.exitCode = behave(name, args);
};
if (require.main === module && process.argv[2] === 'serve') {
  const [kind, port] = process.argv.slice(3);
  const handshake = () => {
    const payload = Buffer.concat([Buffer.from([0x0a]), Buffer.from('10.11.0-fake\0', 'latin1')]);
    return Buffer.concat([Buffer.from([payload.length, 0, 0, 0]), payload]);
  };
  net.createServer((socket) => {
    if (kind === 'mysql') socket.end(handshake());
    else socket.once('data', () => socket.end(Buffer.from([1, 0, 0, 0, 0, 0, 0, 0xce])));
  }).listen(Number(port), '127.0.0.1');
  process.on('SIGTERM', () => process.exit(0));
}
`;

interface Call {
  name: string;
  args: string[];
  env: Record<string, string>;
}

describe('npm start when MySQL or RabbitMQ does not answer', () => {
  let sandbox: Awaited<ReturnType<typeof startSandbox>>;
  let backing: Awaited<ReturnType<typeof fakeBackingServices>>;
  let bin: string;

  beforeAll(async () => {
    sandbox = await startSandbox();
    backing = await fakeBackingServices();
    // The Docker branch reads the compose file (its required variables) from the root.
    await copyFile(join(ROOT, 'docker-compose.yml'), join(sandbox.root, 'docker-compose.yml'));
  });
  afterAll(async () => {
    await backing.close();
    await sandbox.remove();
  });
  beforeEach(async () => {
    bin = await mkdtemp(join(tmpdir(), 'start-script-fakes-'));
    await writeFile(join(bin, 'fake.cjs'), FAKE_LIB);
  });
  afterEach(async () => {
    // Whatever fake server is left (a failed test) must not outlive it.
    for (const kind of ['mysql', 'amqp']) {
      const pid = await readFile(join(bin, `${kind}.pid`), 'utf8').catch(() => '');
      if (pid) {
        try {
          process.kill(Number(pid), 'SIGTERM');
        } catch {
          // already gone
        }
      }
    }
    await rm(bin, { recursive: true, force: true });
  });

  async function fake(...names: string[]): Promise<void> {
    for (const name of names) {
      const path = join(bin, name);
      const script = `#!${process.execPath}\nrequire(${JSON.stringify(join(bin, 'fake.cjs'))}).main(${JSON.stringify(name)});\n`;
      await writeFile(path, script);
      await chmod(path, 0o755);
    }
  }
  async function calls(): Promise<Call[]> {
    const text = await readFile(join(bin, 'calls.log'), 'utf8').catch(() => '');
    return text
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Call);
  }
  const line = (call: Call): string => [call.name, ...call.args].join(' ');
  const running = async (kind: string): Promise<boolean> =>
    (await readFile(join(bin, `${kind}.pid`), 'utf8').catch(() => '')) !== '';
  /** The gateway's port held by someone else: the script exits 1 right after the backing servers. */
  async function busyPort(): Promise<{ port: string; close: () => Promise<void> }> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    return {
      port: String(typeof address === 'object' && address ? address.port : 0),
      close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    };
  }

  it('when Docker runs and neither answers, then Compose starts both, the services run, and SIGTERM stops both', async () => {
    await fake('docker');
    const mysqlPort = await freePort();
    const amqpPort = await freePort();
    const ports = await portEnv();
    const run = runScript(sandbox.root, {
      ...ports,
      MYSQL_URL: `mysql://root@127.0.0.1:${mysqlPort}`,
      RABBITMQ_URL: `amqp://guest:guest@127.0.0.1:${amqpPort}`,
      PATH: bin,
    });
    await waitFor(() => (run.output().includes('Stop with Ctrl+C') ? true : undefined), {
      timeoutMs: 30_000,
      what: `the start banner; output so far:\n${run.output()}`,
    });
    const output = run.output();
    expect(output).toContain(
      'Started MySQL (Docker Compose service mysql) — it will be stopped when npm start stops',
    );
    expect(output).toContain(
      'Started RabbitMQ (Docker Compose service rabbitmq) — it will be stopped when npm start stops',
    );
    // The containers' credentials are the services' too, and never printed.
    expect(output).toContain(`answers at mysql://root:***@127.0.0.1:${mysqlPort}`);
    expect(output).toContain(`answers at amqp://marketplace:***@127.0.0.1:${amqpPort}`);
    const up = (await calls()).find((c) => c.args.includes('up'));
    expect(up && line(up)).toBe('docker compose up -d --wait mysql rabbitmq');
    expect(up?.env).toMatchObject({
      MYSQL_HOST_PORT: String(mysqlPort),
      AMQP_HOST_PORT: String(amqpPort),
      MYSQL_ROOT_PASSWORD: 'marketplace',
      RABBITMQ_USER: 'marketplace',
      INTERNAL_TOKEN: 'unused-by-npm-start',
    });
    expect((await calls()).some((c) => c.args.includes('stop'))).toBe(false);

    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
    const all = await calls();
    expect(line(all.at(-1)!)).toBe('docker compose stop mysql rabbitmq');
    // The services stopped first, then the containers.
    expect(run.output().lastIndexOf('INFO    stopping')).toBeLessThan(
      run.output().indexOf('Stopping MySQL and RabbitMQ (started by npm start)'),
    );
    expect(await running('mysql')).toBe(false);
    expect(await running('amqp')).toBe(false);
  }, 40_000);

  it('when only MySQL is missing and Compose is v1, then docker-compose starts mysql alone and the exit stops it alone', async () => {
    await fake('docker', 'docker-compose');
    const gateway = await busyPort();
    const mysqlPort = await freePort();
    const run = runScript(sandbox.root, {
      ...(await portEnv()),
      GATEWAY_PORT: gateway.port,
      MYSQL_URL: `mysql://root:secret@127.0.0.1:${mysqlPort}`,
      RABBITMQ_URL: backing.env.RABBITMQ_URL,
      FAKE_COMPOSE_V2: '0',
      PATH: bin,
    });
    const code = await run.exited;
    await gateway.close();
    expect(code).toBe(1);
    expect(run.output()).toContain(`Port ${gateway.port} (gateway) is already in use`);
    expect(run.output()).toContain('RabbitMQ answers at');
    const lines = (await calls()).map(line);
    expect(lines).toEqual([
      'docker info',
      'docker compose version',
      'docker-compose ps --services --filter status=running',
      'docker-compose up -d mysql',
      'docker-compose stop mysql',
    ]);
    // The URL's password is the container's: kept, not replaced.
    expect((await calls())[3]?.env.MYSQL_ROOT_PASSWORD).toBe('secret');
    expect(await running('mysql')).toBe(false);
  }, 20_000);

  it('when a Compose service was already running, then it is not stopped on exit', async () => {
    await fake('docker');
    const gateway = await busyPort();
    const run = runScript(sandbox.root, {
      ...(await portEnv()),
      GATEWAY_PORT: gateway.port,
      MYSQL_URL: `mysql://root@127.0.0.1:${await freePort()}`,
      RABBITMQ_URL: `amqp://guest:guest@127.0.0.1:${await freePort()}`,
      FAKE_COMPOSE_RUNNING: 'rabbitmq\n',
      PATH: bin,
    });
    const code = await run.exited;
    await gateway.close();
    expect(code).toBe(1);
    expect(run.output()).toContain(
      'RabbitMQ (Docker Compose service rabbitmq) was already running',
    );
    expect((await calls()).map(line).at(-1)).toBe('docker compose stop mysql');
  }, 20_000);

  it.runIf(process.getuid?.() === 0)(
    'when there is no Docker but installed servers (as root), then they are started, and on exit stopped',
    async () => {
      await fake(
        'start-stop-daemon',
        'mariadbd',
        'mariadb-admin',
        'rabbitmq-server',
        'rabbitmqctl',
      );
      const gateway = await busyPort();
      const mysqlPort = await freePort();
      const amqpPort = await freePort();
      const run = runScript(sandbox.root, {
        ...(await portEnv()),
        GATEWAY_PORT: gateway.port,
        MYSQL_URL: `mysql://root:pw@127.0.0.1:${mysqlPort}`,
        RABBITMQ_URL: `amqp://guest:guest@localhost:${amqpPort}`,
        PATH: bin,
      });
      const code = await run.exited;
      await gateway.close();
      expect(code).toBe(1);
      expect(run.output()).toContain(
        'Started MariaDB (installed server) — it will be stopped when npm start stops',
      );
      expect(run.output()).toContain(
        'Started RabbitMQ (installed server) — it will be stopped when npm start stops',
      );
      const all = await calls();
      expect(all.map(line)).toEqual([
        `start-stop-daemon --start --background --exec ${join(bin, 'mariadbd')} -- --port=${mysqlPort}`,
        'rabbitmqctl ping',
        'rabbitmq-server -detached',
        'rabbitmqctl stop',
        `mariadb-admin --protocol=TCP -h 127.0.0.1 -P ${mysqlPort} -u root shutdown`,
      ]);
      expect(all[2]?.env.RABBITMQ_NODE_PORT).toBe(String(amqpPort));
      // The password reaches mariadb-admin through its environment, not its arguments.
      expect(all[4]?.env.MYSQL_PWD).toBe('pw');
      expect(await running('mysql')).toBe(false);
      expect(await running('amqp')).toBe(false);
    },
    20_000,
  );

  it('when a RabbitMQ node already runs elsewhere, then it is neither started nor stopped', async () => {
    await fake('rabbitmq-server', 'rabbitmqctl');
    const run = runScript(sandbox.root, {
      ...(await portEnv()),
      MYSQL_URL: backing.env.MYSQL_URL,
      RABBITMQ_URL: `amqp://guest:guest@127.0.0.1:${await freePort()}`,
      FAKE_RABBIT_RUNNING: '1',
      PATH: bin,
    });
    expect(await run.exited).toBe(1);
    const lines = (await calls()).map(line);
    if (process.getuid?.() === 0) {
      expect(run.output()).toContain('RabbitMQ already runs on this machine but does not answer');
      expect(lines).toEqual(['rabbitmqctl ping']);
    } else {
      expect(run.output()).toContain('not root');
      expect(lines).toEqual([]);
    }
    expect(run.output()).not.toContain('Starting user-service');
  }, 20_000);

  it('when a docker client has no engine and nothing is installed, then it prints the instructions and starts nothing', async () => {
    await fake('docker');
    const closed = `mysql://root@127.0.0.1:${await freePort()}`;
    const run = runScript(sandbox.root, {
      ...(await portEnv()),
      MYSQL_URL: closed,
      RABBITMQ_URL: backing.env.RABBITMQ_URL,
      FAKE_DOCKER_INFO: '1',
      PATH: bin,
    });
    expect(await run.exited).toBe(1);
    expect(run.output()).toContain(`MySQL is not reachable at ${closed}`);
    expect(run.output()).toContain(
      'start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd',
    );
    expect(run.output()).not.toContain('Started');
    expect((await calls()).map(line)).toEqual(['docker info']);
  }, 20_000);
});
