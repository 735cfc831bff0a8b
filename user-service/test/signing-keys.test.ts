import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb } from '@marketplace/db';
import { generateSigningKey, type JWK } from '@marketplace/jwt';
import { loadConfig } from '../src/config.ts';
import { readKeySetFile, writeKeySetFile } from '../src/data/key-set.file.ts';
import type { DB } from '../src/data/schema.ts';
import { loadSigningKeys, rotateKeyFile } from '../src/domain/signing-key-source.ts';
import { post, register, startUserService, type Harness, type Session } from './harness.ts';

const kidOf = (token: string): string =>
  (JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString()) as { kid: string })
    .kid;
const now = () => Math.floor(Date.now() / 1000);

describe('signing keys from configuration', () => {
  let dir: string;
  let file: string;
  let h: Harness;
  let db: Kysely<DB>;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'user-keys-'));
    file = join(dir, 'keys.json');
    await rotateKeyFile(file, { now: now() });
    await rotateKeyFile(file, { now: now() });
    h = await startUserService({}, { JWT_SIGNING_KEY: '', JWT_SIGNING_KEYS_FILE: file });
    db = createDb<DB>({ url: h.config.MYSQL_URL, database: h.config.DB_NAME });
  });

  afterAll(async () => {
    await db.destroy();
    await h.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('when a key waits for its nbf, then it is published but the older key signs', async () => {
    const [current, next] = await readKeySetFile(file);
    const jwks = (await h.app.inject({ url: '/.well-known/jwks.json' })).json<{ keys: JWK[] }>();
    expect(jwks.keys.map((k) => k.kid)).toEqual([current?.kid, next?.kid]);
    expect(jwks.keys.every((k) => k.d === undefined)).toBe(true);
    const session = await register(h.app);
    expect(kidOf(session.accessToken)).toBe(current?.kid);
  });

  it('when the rotation command writes the file, then it is mode 0600', async () => {
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('when the key file changes, then a reload publishes the new key and it signs from its nbf', async () => {
    const source = await loadSigningKeys(h.config, db);
    const entries = await readKeySetFile(file);
    const [old, next] = entries;
    if (!old || !next) throw new Error('expected two keys');
    // The first key started this second too: move it back so the second is the newest started.
    await writeKeySetFile(file, [
      { ...old, nbf: now() - 10 },
      { ...next, nbf: now() - 1 },
    ]);
    expect(await source.reload()).toBe(true);
    expect(source.keys.current().kid).toBe(next.kid);
    expect(source.keys.jwks().keys.map((k) => k.kid)).toEqual([old.kid, next.kid]);
    expect(await source.reload()).toBe(false);
  });

  it('when no key is configured in development, then a key file is generated once and reused', async () => {
    const devFile = join(dir, 'dev', 'user-service.jwks.json');
    const config = { JWT_ACCESS_TTL_SECONDS: 900 };
    const first = await loadSigningKeys(config, db, devFile);
    expect((await stat(devFile)).mode & 0o777).toBe(0o600);
    const second = await loadSigningKeys(config, db, devFile);
    expect(second.keys.current().kid).toBe(first.keys.current().kid);
  });

  it('when the database is migrated, then it holds no private key', async () => {
    const columns = await sql<{ Field: string }>`SHOW COLUMNS FROM signing_keys`.execute(db);
    expect(columns.rows.map((c) => c.Field)).not.toContain('private_jwk');
    expect(columns.rows.map((c) => c.Field)).toContain('public_jwk');
  });

  it('when the former key table has a public key still verifying, then the JWKS lists it until it retires', async () => {
    const live = await generateSigningKey();
    const gone = await generateSigningKey();
    const row = (key: typeof live, generation: number, retiredAt: Date) => ({
      kid: key.kid,
      generation,
      public_jwk: JSON.stringify(key.publicJwk),
      created_at: new Date(),
      retired_at: retiredAt,
    });
    await db
      .insertInto('signing_keys')
      .values([
        row(live, 1, new Date(Date.now() + 60_000)),
        row(gone, 2, new Date(Date.now() - 1_000)),
      ])
      .execute();
    const source = await loadSigningKeys(h.config, db);
    const kids = source.keys.jwks().keys.map((k) => k.kid);
    expect(kids).toContain(live.kid);
    expect(kids).not.toContain(gone.kid);
  });

  it('when the inline key is not a key, then loading fails naming the variable', async () => {
    await expect(
      loadSigningKeys({ JWT_SIGNING_KEY: 'not-a-key', JWT_ACCESS_TTL_SECONDS: 900 }, db),
    ).rejects.toThrow(/^JWT_SIGNING_KEY: /);
  });

  it('when the service signs a login, then its own verifier accepts the token', async () => {
    const session = await register(h.app);
    const login = await post(h.app, '/api/auth/login', {
      email: session.user.email,
      password: 'correct horse battery',
    });
    const me = await h.app.inject({
      url: '/api/users/me',
      headers: { authorization: `Bearer ${login.json<Session>().accessToken}` },
    });
    expect(me.statusCode).toBe(200);
  });
});

describe('signing key configuration', () => {
  const production = {
    NODE_ENV: 'production',
    MYSQL_URL: 'mysql://app:a-long-database-password@db:3306',
    RABBITMQ_URL: 'amqp://app:a-long-broker-password@mq:5672',
  };

  it('when production has no signing key, then the configuration is refused naming the variable', () => {
    expect(() => loadConfig(production)).toThrow(/JWT_SIGNING_KEYS_FILE: required in production/);
  });

  it('when production has a key file or an inline key, then the keys are accepted', () => {
    expect(() =>
      loadConfig({ ...production, JWT_SIGNING_KEYS_FILE: '/run/keys.json' }),
    ).not.toThrow(/JWT_SIGNING/);
    expect(() => loadConfig({ ...production, JWT_SIGNING_KEY: '{"kid":"k"}' })).not.toThrow(
      /JWT_SIGNING/,
    );
  });

  it('when both an inline key and a file are set, then the configuration is refused', () => {
    expect(() => loadConfig({ JWT_SIGNING_KEY: '{}', JWT_SIGNING_KEYS_FILE: '/k.json' })).toThrow(
      /JWT_SIGNING_KEY: set it or JWT_SIGNING_KEYS_FILE, not both/,
    );
  });
});
