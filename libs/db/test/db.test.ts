import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql, type Kysely } from 'kysely';
import { createTestDatabase, TEST_MYSQL_URL, uniqueName } from '@marketplace/testing';
import {
  createDb,
  dropDatabase,
  prepareDatabase,
  withDb,
  inTransaction,
  isDuplicateKey,
  migrateToLatest,
  pingDb,
  type Migrations,
} from '../src/index.ts';

interface Db {
  items: { id: number; name: string; stock: number };
}

const migrations: Migrations = {
  '0001_items': {
    async up(db) {
      await sql`CREATE TABLE items (id INT PRIMARY KEY, name VARCHAR(50) NOT NULL UNIQUE,
                stock INT UNSIGNED NOT NULL) ENGINE=InnoDB`.execute(db);
    },
  },
};

describe('db', () => {
  let database: { name: string; drop: () => Promise<void> };
  let db: Kysely<Db>;

  beforeAll(async () => {
    database = await createTestDatabase('db');
    db = createDb<Db>({ url: TEST_MYSQL_URL, database: database.name });
  });
  afterAll(async () => {
    await db.destroy();
    await database.drop();
  });

  it('when migrations run twice, then the second run applies nothing', async () => {
    expect(await migrateToLatest(db, migrations)).toEqual(['0001_items']);
    expect(await migrateToLatest(db, migrations)).toEqual([]);
    await pingDb(db);
  });

  it('when a unique key is violated, then isDuplicateKey says so', async () => {
    await db.insertInto('items').values({ id: 1, name: 'a', stock: 1 }).execute();
    const error = await db
      .insertInto('items')
      .values({ id: 2, name: 'a', stock: 1 })
      .execute()
      .catch((e: unknown) => e);
    expect(isDuplicateKey(error)).toBe(true);
  });

  it('when two transactions deadlock, then inTransaction retries the loser and both commit', async () => {
    await db
      .insertInto('items')
      .values([
        { id: 10, name: 'x', stock: 0 },
        { id: 11, name: 'y', stock: 0 },
      ])
      .execute();
    const bump = (first: number, second: number) =>
      inTransaction(db, async (trx) => {
        await sql`UPDATE items SET stock = stock + 1 WHERE id = ${first}`.execute(trx);
        await new Promise((resolve) => setTimeout(resolve, 100));
        await sql`UPDATE items SET stock = stock + 1 WHERE id = ${second}`.execute(trx);
      });
    await Promise.all([bump(10, 11), bump(11, 10)]);
    const rows = await db
      .selectFrom('items')
      .select(['id', 'stock'])
      .where('id', 'in', [10, 11])
      .orderBy('id')
      .execute();
    expect(rows).toEqual([
      { id: 10, stock: 2 },
      { id: 11, stock: 2 },
    ]);
  });

  it('when the database name is unsafe, then nothing is created', () => {
    expect(() => createDb({ url: TEST_MYSQL_URL, database: 'x`; DROP DATABASE y' })).toThrow();
  });

  it('when a service prepares a new database, then it is created, migrated and seeded once', async () => {
    const name = uniqueName('t_prepare').slice(0, 64);
    const options = { url: TEST_MYSQL_URL, database: name };
    const seed = async (fresh: Kysely<Db>) => {
      await fresh
        .insertInto('items')
        .ignore()
        .values({ id: 1, name: 'seeded', stock: 3 })
        .execute();
    };
    try {
      await prepareDatabase<Db>(options, migrations, seed);
      await prepareDatabase<Db>(options, migrations, seed);
      const rows = await withDb<Db, { name: string }[]>(options, (fresh) =>
        fresh.selectFrom('items').select('name').execute(),
      );
      expect(rows).toEqual([{ name: 'seeded' }]);
    } finally {
      await dropDatabase(TEST_MYSQL_URL, name);
    }
  });

  it('when SQL stamps a time, then it uses UTC like the dates the driver writes', async () => {
    // The session zone, not the clock: this server may well run in UTC already.
    const { rows } = await sql<{ zone: string }>`SELECT @@session.time_zone AS zone`.execute(db);
    expect(rows[0]?.zone).toBe('+00:00');
  });
});
