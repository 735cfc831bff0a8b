import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { serviceCommand } from '../../scripts/lib/build.mjs';
import { APP_SERVICES, ROOT } from './repo.ts';

type Service = (typeof APP_SERVICES)[number]['name'];
type Env = Record<string, string | undefined>;

/** What each service must be given in production: the kit's secrets and credentials it reads. */
const REFUSED_WHEN_UNSET: Record<Service, string[]> = {
  gateway: ['JWKS_URL'],
  'user-service': ['MYSQL_URL', 'RABBITMQ_URL'],
  'product-service': ['MYSQL_URL', 'JWKS_URL', 'INTERNAL_TOKEN'],
  'order-service': ['MYSQL_URL', 'RABBITMQ_URL', 'JWKS_URL', 'INTERNAL_TOKEN'],
  'notification-service': ['MYSQL_URL', 'RABBITMQ_URL', 'JWKS_URL', 'SMTP_URL', 'PUBLIC_URL'],
};

const secret = () => randomBytes(24).toString('hex');

/** A production environment an operator would write: every secret their own. */
const GOOD: Env = {
  NODE_ENV: 'production',
  MYSQL_URL: `mysql://marketplace:${secret()}@mysql:3306`,
  RABBITMQ_URL: `amqp://marketplace:${secret()}@rabbitmq:5672`,
  INTERNAL_TOKEN: secret(),
  JWKS_URL: 'http://user-service:8081/.well-known/jwks.json',
  // user-service's signing key (its own check): where the key set would be mounted.
  JWT_SIGNING_KEYS_FILE: '/run/secrets/jwt-keys.json',
  // notification-service: where mail goes, and the address its links point at.
  SMTP_URL: 'smtp://mail.internal:587',
  PUBLIC_URL: 'https://shop.example',
};

/** The development values production must refuse even when set explicitly. */
const DEVELOPMENT_VALUES: Env = {
  MYSQL_URL: 'mysql://root@127.0.0.1:3306',
  RABBITMQ_URL: 'amqp://guest:guest@127.0.0.1:5672',
  INTERNAL_TOKEN: 'dev-internal-token',
};

async function loaderOf(service: Service): Promise<(env: Env) => unknown> {
  const url = pathToFileURL(join(ROOT, service, 'src', 'config.ts')).href;
  return ((await import(url)) as { loadConfig: (env: Env) => unknown }).loadConfig;
}

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a service's bundle with exactly `env` (nothing inherited) until it exits, or fails. */
function runBundle(service: Service, env: Env, timeoutMs = 5_000): Promise<Exit> {
  const child = spawn(process.execPath, serviceCommand(service), {
    cwd: ROOT,
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${service} still ran after ${timeoutMs} ms; stderr: ${stderr}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('production mode (NODE_ENV=production)', () => {
  beforeAll(() => {
    // The bundles npm start and the images run, built from the sources now.
    execFileSync(
      process.execPath,
      ['scripts/build-services.mjs', ...APP_SERVICES.map((s) => s.name)],
      { cwd: ROOT, stdio: 'ignore' },
    );
  }, 60_000);

  it.each(APP_SERVICES)(
    'when $name starts with no secrets, then it exits 1 at once with one line naming them',
    async ({ name }) => {
      const { code, stdout, stderr } = await runBundle(name, { NODE_ENV: 'production' });
      expect(code).toBe(1);
      const lines = stderr.split('\n').filter(Boolean);
      expect(lines, stderr).toHaveLength(1);
      const line = lines[0] ?? '';
      expect(line).toMatch(new RegExp(`^${name}: cannot start: invalid configuration: `));
      for (const variable of REFUSED_WHEN_UNSET[name]) expect(line).toContain(`${variable}:`);
      expect(stdout).toBe('');
    },
    10_000,
  );

  it.each(APP_SERVICES)(
    'when $name is given a secret of its own for each, then its configuration loads',
    async ({ name }) => {
      const load = await loaderOf(name);
      expect(() => load(GOOD)).not.toThrow();
    },
  );

  it.each(APP_SERVICES)(
    'when any one of $name’s secrets is missing or a development value, then loading names it',
    async ({ name }) => {
      const load = await loaderOf(name);
      for (const variable of REFUSED_WHEN_UNSET[name]) {
        expect(() => load({ ...GOOD, [variable]: undefined }), variable).toThrow(
          new RegExp(`${variable}: must be set in production`),
        );
        const development = DEVELOPMENT_VALUES[variable];
        if (development === undefined) continue;
        expect(() => load({ ...GOOD, [variable]: development }), variable).toThrow(
          new RegExp(`${variable}: `),
        );
      }
    },
  );

  it.each(['product-service', 'order-service'] as const)(
    'when %s is given an internal token under 32 characters, then production refuses it',
    async (name) => {
      const load = await loaderOf(name);
      expect(() => load({ ...GOOD, INTERNAL_TOKEN: 'x'.repeat(31) })).toThrow(
        /INTERNAL_TOKEN: must be at least 32 characters in production/,
      );
      expect(() => load({ ...GOOD, INTERNAL_TOKEN: 'x'.repeat(32) })).not.toThrow();
    },
  );

  it.each(['user-service', 'product-service', 'order-service'] as const)(
    'when %s is asked to seed the demo data in production, then it refuses naming SEED_DEMO',
    async (name) => {
      const load = await loaderOf(name);
      expect(() => load({ ...GOOD, SEED_DEMO: 'true' })).toThrow(/SEED_DEMO: /);
      expect(() => load({ ...GOOD, SEED_DEMO: 'false' })).not.toThrow();
    },
  );

  it.each(APP_SERVICES)(
    'when $name runs in development (NODE_ENV unset), then the defaults still load',
    async ({ name }) => {
      const load = await loaderOf(name);
      expect(() => load({})).not.toThrow();
      expect(() => load({ SEED_DEMO: 'true' })).not.toThrow();
    },
  );
});
