import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql, type Kysely } from 'kysely';
import { Registry } from 'prom-client';
import { createTestDatabase, TEST_MYSQL_URL, waitFor } from '@marketplace/testing';
import { createDb, registerPoolMetrics } from '../src/index.ts';

/** The value of one sample of the registry's text exposition, or undefined when absent. */
async function sample(registry: Registry, line: RegExp): Promise<number | undefined> {
  const text = await registry.metrics();
  const found = text.split('\n').find((l) => line.test(l));
  return found === undefined ? undefined : Number(found.split(' ').pop());
}

describe('registerPoolMetrics', () => {
  let database: { name: string; drop: () => Promise<void> };
  let db: Kysely<unknown>;
  const registry = new Registry();

  beforeAll(async () => {
    database = await createTestDatabase('pool');
    db = createDb({ url: TEST_MYSQL_URL, database: database.name, poolSize: 2 });
    registerPoolMetrics(db, registry);
  });
  afterAll(async () => {
    await db.destroy();
    await database.drop();
  });

  const gauge = (name: string, labels: string) =>
    sample(registry, new RegExp(`^${name}\\{[^}]*${labels}[^}]*\\} `));

  it('when every connection is held and another caller waits, then used, idle and pending say so', async () => {
    let release = (): void => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const holders = [1, 2].map(() =>
      db.transaction().execute(async (trx) => {
        await sql`SELECT 1`.execute(trx);
        await gate;
      }),
    );
    const waiting = sql`SELECT 1`.execute(db);

    await waitFor(
      async () =>
        (await gauge('db_client_connections_pending_requests', '')) === 1 ? true : undefined,
      {
        what: 'a caller waiting for a connection',
      },
    );
    expect(await gauge('db_client_connections', 'state="used"')).toBe(2);
    expect(await gauge('db_client_connections', 'state="idle"')).toBe(0);
    expect(await gauge('db_client_connections_max', '')).toBe(2);
    expect(await registry.metrics()).toContain(`pool="${database.name}"`);

    release();
    await Promise.all([...holders, waiting]);
    expect(await gauge('db_client_connections', 'state="used"')).toBe(0);
    expect(await gauge('db_client_connections', 'state="idle"')).toBe(2);
    expect(await gauge('db_client_connections_pending_requests', '')).toBe(0);
  });

  it('when a Kysely instance was not made by createDb, then registering it is refused', () => {
    expect(() => registerPoolMetrics({}, new Registry())).toThrow(/not made by createDb/);
  });
});
