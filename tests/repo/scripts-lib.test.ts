import { describe, expect, it } from 'vitest';
import { ROOT } from './repo.ts';
import { mysqlHandshake } from './sandbox.ts';

// The scripts are plain JavaScript (they run before anything is installed); these are the
// shapes of the parts tested here.
interface Verdict {
  ok: boolean;
  detail: string;
}
interface Preflight {
  decideMysql: (bytes: Buffer) => Verdict | undefined;
  decideAmqp: (bytes: Buffer) => Verdict | undefined;
  displayUrl: (url: string) => string;
}
interface LogFormat {
  formatLogLine: (line: string) => string;
}
interface Services {
  planServices: (
    root: string,
    env: Record<string, string>,
  ) => { name: string; port: number; env: Record<string, string> }[];
  planMailCatcher: (
    root: string,
    env: Record<string, string>,
  ) => { port: number; smtpUrl: string; command: string[] } | null;
  demoAccounts: (root: string) => {
    password: string;
    buyer: string;
    seller: string;
    admin: string;
  };
}

const load = async <T>(path: string): Promise<T> =>
  (await import(new URL(`../../scripts/lib/${path}`, import.meta.url).href)) as T;
// eslint-disable-next-line no-control-regex
const plain = (text: string): string => text.replace(/\x1b\[[0-9;]*m/g, '');

describe('preflight', () => {
  it('when a MySQL handshake arrives, then the server version is reported', async () => {
    const { decideMysql } = await load<Preflight>('preflight.mjs');
    expect(decideMysql(mysqlHandshake('10.11.9-MariaDB'))).toEqual({
      ok: true,
      detail: 'server 10.11.9-MariaDB',
    });
    expect(decideMysql(mysqlHandshake().subarray(0, 3))).toBeUndefined();
  });

  it('when MySQL refuses with an error packet, then its message is the reason', async () => {
    const { decideMysql } = await load<Preflight>('preflight.mjs');
    const payload = Buffer.concat([
      Buffer.from([0xff, 0x6a, 0x04]),
      Buffer.from("Host 'x' is not allowed"),
    ]);
    const packet = Buffer.concat([Buffer.from([payload.length, 0, 0, 0]), payload]);
    expect(decideMysql(packet)).toEqual({
      ok: false,
      detail: "the server refused the connection: Host 'x' is not allowed",
    });
  });

  it('when an AMQP server answers the protocol header, then only 0-9-1 passes', async () => {
    const { decideAmqp } = await load<Preflight>('preflight.mjs');
    expect(decideAmqp(Buffer.from([1, 0, 0]))?.ok).toBe(true);
    expect(decideAmqp(Buffer.from('AMQP\x00\x00\x09\x00', 'latin1'))?.detail).toMatch(
      /another AMQP version/,
    );
    expect(decideAmqp(Buffer.from('HTTP/1.1 400'))?.ok).toBe(false);
  });

  it('when a URL is printed, then its password is masked', async () => {
    const { displayUrl } = await load<Preflight>('preflight.mjs');
    expect(displayUrl('amqp://guest:hunter2@rabbit:5672')).toBe('amqp://guest:***@rabbit:5672');
  });
});

describe('formatLogLine', () => {
  it('when a pino line has a request and an error, then time, level, message, id and error show', async () => {
    const { formatLogLine } = await load<LogFormat>('log-format.mjs');
    const line = JSON.stringify({
      level: 50,
      time: Date.UTC(2025, 0, 1, 12, 0, 1, 234),
      service: 'order-service',
      requestId: 'req-7',
      msg: 'unhandled error',
      req: { method: 'POST', url: '/api/orders' },
      err: { type: 'Error', message: 'boom', stack: 'Error: boom\n    at x' },
      attempt: 2,
    });
    const text = plain(formatLogLine(line));
    expect(text).toMatch(
      /^\d\d:\d\d:01\.234 ERROR unhandled error POST \/api\/orders attempt=2 \[req-7\] boom$/,
    );
    expect(text).not.toContain('order-service');
  });

  it('when a line is a request’s one line, then method, URL, status and time show once', async () => {
    const { formatLogLine } = await load<LogFormat>('log-format.mjs');
    const line = JSON.stringify({
      level: 30,
      time: Date.UTC(2025, 0, 1, 12, 0, 1, 234),
      service: 'gateway',
      requestId: 'req-8',
      msg: 'request completed',
      method: 'GET',
      url: '/api/products',
      status: 200,
      ms: 3.25,
      client: '127.0.0.1',
    });
    expect(plain(formatLogLine(line))).toMatch(
      /^\d\d:\d\d:01\.234 INFO {2}request completed GET \/api\/products 200 3\.3 ms \[req-8\]$/,
    );
  });

  it('when a line is not JSON, then it passes through unchanged', async () => {
    const { formatLogLine } = await load<LogFormat>('log-format.mjs');
    expect(formatLogLine('    at Object.<anonymous> (file.ts:1:1)')).toBe(
      '    at Object.<anonymous> (file.ts:1:1)',
    );
    expect(formatLogLine('{not json')).toBe('{not json');
  });
});

describe('planServices', () => {
  it('when ports are overridden, then each service and its peers use the new ports', async () => {
    const { planServices } = await load<Services>('services.mjs');
    const plan = planServices(ROOT, { USER_SERVICE_PORT: '9081', PORT: '1', DB_NAME: 'shared' });
    const order = plan.find((s) => s.name === 'order-service');
    expect(plan.map((s) => s.name)).toEqual([
      'user-service',
      'product-service',
      'order-service',
      'notification-service',
      'gateway',
    ]);
    expect(order?.env).toMatchObject({
      PORT: '8083',
      SEED_DEMO: 'true',
      JWKS_URL: 'http://127.0.0.1:9081/.well-known/jwks.json',
      PRODUCT_SERVICE_URL: 'http://127.0.0.1:8082',
    });
    expect(order?.env.DB_NAME).toBeUndefined();
  });

  it('when SMTP_URL is unset, then a mail catcher is planned on its ports; when set, none', async () => {
    const { planMailCatcher } = await load<Services>('services.mjs');
    const catcher = planMailCatcher(ROOT, { MAIL_UI_PORT: '9180', MAIL_SMTP_PORT: '9125' });
    expect(catcher?.port).toBe(9180);
    expect(catcher?.smtpUrl).toBe('smtp://127.0.0.1:9125');
    expect(catcher?.command[0]).toMatch(/node_modules\/maildev\/dist\/bin\/maildev\.js$/);
    expect(planMailCatcher(ROOT, { SMTP_URL: 'smtp://mail.example:587' })).toBeNull();
  });

  it('when a port variable is not a port, then planning fails naming it', async () => {
    const { planServices } = await load<Services>('services.mjs');
    expect(() => planServices(ROOT, { GATEWAY_PORT: 'eighty' })).toThrow(/GATEWAY_PORT=eighty/);
  });

  it('when the banner reads the demo accounts, then they come from libs/contracts/src/demo.ts', async () => {
    const { demoAccounts } = await load<Services>('services.mjs');
    const { DEMO_PASSWORD, DEMO_BUYER, DEMO_ADMIN, DEMO_SELLERS } =
      await import('@marketplace/contracts');
    expect(demoAccounts(ROOT)).toEqual({
      password: DEMO_PASSWORD,
      buyer: DEMO_BUYER.email,
      seller: DEMO_SELLERS[0].email,
      admin: DEMO_ADMIN.email,
    });
  });
});
