import { spawn, type ChildProcess } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@marketplace/testing';
import { ROOT } from './repo.ts';

/** A TCP server on a free port that treats each connection with `onConnection`. */
export async function fakeServer(
  onConnection: (socket: Socket) => void,
): Promise<{ url: (scheme: string) => string; close: () => Promise<void> }> {
  const server: Server = createServer(onConnection);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: (scheme) => `${scheme}://guest:secret@127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** What a MySQL server says first: a protocol-10 handshake packet. */
export function mysqlHandshake(version = '8.4.0-fake'): Buffer {
  const payload = Buffer.concat([Buffer.from([0x0a]), Buffer.from(`${version}\0`, 'latin1')]);
  const header = Buffer.from([payload.length & 0xff, (payload.length >> 8) & 0xff, 0, 0]);
  return Buffer.concat([header, payload]);
}

/** Fake MySQL and RabbitMQ that pass the start script's checks, without the real servers. */
export async function fakeBackingServices() {
  const mysql = await fakeServer((socket) => socket.end(mysqlHandshake()));
  const amqp = await fakeServer((socket) =>
    socket.once('data', () => socket.end(Buffer.from([1, 0, 0, 0, 0, 0, 0, 0xce]))),
  );
  return {
    env: { MYSQL_URL: mysql.url('mysql'), RABBITMQ_URL: amqp.url('amqp') },
    close: async () => {
      await mysql.close();
      await amqp.close();
    },
  };
}

const STUB = `
import { createServer } from 'node:http';
const name = process.argv[1].split('/').slice(-3)[0];
const log = (msg, extra = {}) =>
  process.stdout.write(JSON.stringify({ level: 30, time: Date.now(), msg, ...extra }) + '\\n');
if (process.env.STUB_FAIL === name) {
  process.stderr.write('cannot start: STUB_FAIL\\n');
  process.exit(3);
}
const server = createServer((req, res) => res.end('{"status":"ready"}'));
server.listen(Number(process.env.PORT), '127.0.0.1', () =>
  log('listening', { port: process.env.PORT, seed: process.env.SEED_DEMO, jwks: process.env.JWKS_URL }),
);
process.on('SIGTERM', () => { log('stopping'); server.close(() => process.exit(0)); });
`;

/**
 * A copy of scripts/ in a temporary root with stub services (tiny HTTP servers answering /ready),
 * so the start script runs for real without touching the services or the shared databases.
 */
export async function startSandbox(): Promise<{ root: string; remove: () => Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), 'start-script-'));
  await cp(join(ROOT, 'scripts'), join(root, 'scripts'), { recursive: true });
  await mkdir(join(root, 'node_modules'));
  // An installed tree with no lock file: the script must not run npm ci here.
  await writeFile(join(root, 'node_modules', '.package-lock.json'), '{}');
  await symlink(join(ROOT, 'node_modules', 'esbuild'), join(root, 'node_modules', 'esbuild'));
  // The development mail catcher npm start runs (its own dependencies resolve from the real path).
  await symlink(join(ROOT, 'node_modules', 'maildev'), join(root, 'node_modules', 'maildev'));
  for (const service of [
    'gateway',
    'user-service',
    'product-service',
    'order-service',
    'notification-service',
  ]) {
    await mkdir(join(root, service, 'src'), { recursive: true });
    await writeFile(join(root, service, 'src', 'server.ts'), STUB);
  }
  return { root, remove: () => rm(root, { recursive: true, force: true }) };
}

/** Free ports for the five services, as the start script's variables. */
export async function portEnv(): Promise<Record<string, string>> {
  const names = [
    'GATEWAY_PORT',
    'USER_SERVICE_PORT',
    'PRODUCT_SERVICE_PORT',
    'ORDER_SERVICE_PORT',
    'NOTIFICATION_SERVICE_PORT',
    'MAIL_UI_PORT',
    'MAIL_SMTP_PORT',
  ];
  const entries = await Promise.all(names.map(async (n) => [n, String(await freePort())] as const));
  return Object.fromEntries(entries);
}

export interface Run {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

export function runScript(root: string, env: Record<string, string>): Run {
  const child = spawn(process.execPath, [join(root, 'scripts', 'start.mjs')], {
    cwd: root,
    env: { ...process.env, NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  return { child, output: () => output, exited };
}
