import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MysqlAdapter, sql, type Kysely } from 'kysely';
import { createConnection, type RowDataPacket } from 'mysql2/promise';
import { createTestDatabase, TEST_MYSQL_URL, uniqueName } from '@marketplace/testing';
import {
  createDb,
  dropDatabase,
  migrateToLatest,
  prepareDatabase,
  sqlMigration,
  withDb,
  type Migrations,
} from '../src/index.ts';
import { prepareLockName } from '../src/migrate.ts';

// Several replicas of one service starting at once (a Deployment scaled to 4, a rollout), each
// with its own connection pool against one database.
const REPLICAS = 4;

interface Db {
  migration_runs: { id: number; name: string };
  widgets: { id: number; colour: string };
  gadgets: { id: number };
}

/** Each migration logs its run first, so a second run shows even when its DDL then fails. */
const logged = (name: string, ...statements: string[]) =>
  sqlMigration({
    up: [`INSERT INTO migration_runs (name) VALUES ('${name}')`, ...statements],
    down: [],
  });

const migrations: Migrations = {
  // Slow, so that the replicas' starts overlap while it runs.
  '0001_widgets': logged(
    '0001_widgets',
    'SELECT SLEEP(0.5)',
    'CREATE TABLE widgets (id INT PRIMARY KEY) ENGINE=InnoDB',
  ),
  // Not idempotent: a second run fails (duplicate column).
  '0002_widget_colour': logged(
    '0002_widget_colour',
    "ALTER TABLE widgets ADD COLUMN colour VARCHAR(20) NOT NULL DEFAULT ''",
  ),
  '0003_gadgets': logged('0003_gadgets', 'CREATE TABLE gadgets (id INT PRIMARY KEY) ENGINE=InnoDB'),
};
const NAMES = Object.keys(migrations).sort();

/** The run log lives outside the migrations, so it exists before any replica starts. */
async function createRunLog(options: { url: string; database: string }): Promise<void> {
  await withDb(options, (db) =>
    sql`CREATE TABLE IF NOT EXISTS migration_runs (id INT AUTO_INCREMENT PRIMARY KEY,
        name VARCHAR(64) NOT NULL) ENGINE=InnoDB`.execute(db),
  );
}

/** How many times each migration's `up` ran, and what Kysely recorded as applied. */
async function inspect(options: { url: string; database: string }) {
  return withDb<Db, { runs: Record<string, number>; recorded: string[]; tables: string[] }>(
    options,
    async (db) => {
      const runs = await db
        .selectFrom('migration_runs')
        .select(['name', (eb) => eb.fn.countAll<number>().as('count')])
        .groupBy('name')
        .execute();
      const recorded = await sql<{
        name: string;
      }>`SELECT name FROM kysely_migration ORDER BY name`.execute(db);
      const tables = await db.introspection.getTables();
      return {
        runs: Object.fromEntries(runs.map((r) => [r.name, Number(r.count)])),
        recorded: recorded.rows.map((r) => r.name),
        tables: tables.map((t) => `${t.name}(${t.columns.map((c) => c.name).join(',')})`).sort(),
      };
    },
  );
}

const once = Object.fromEntries(NAMES.map((name) => [name, 1]));
// Kysely's own tables are left out by its introspection.
const migratedTables = ['gadgets(id)', 'migration_runs(id,name)', 'widgets(id,colour)'];

describe('migrations when several replicas start at once', () => {
  let database: { name: string; drop: () => Promise<void> };
  let options: { url: string; database: string };
  let pools: Kysely<Db>[];

  beforeEach(async () => {
    database = await createTestDatabase('migconc');
    options = { url: TEST_MYSQL_URL, database: database.name };
    await createRunLog(options);
    pools = Array.from({ length: REPLICAS }, () => createDb<Db>({ ...options, poolSize: 2 }));
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await Promise.all(pools.map((db) => db.destroy()));
    await database.drop();
  });

  it('when replicas migrate one fresh database at the same time, then each migration runs exactly once and all succeed', async () => {
    const applied = await Promise.all(pools.map((db) => migrateToLatest(db, migrations)));

    // Every migration applied by exactly one replica; the others found nothing pending.
    expect(applied.flat().sort()).toEqual(NAMES);
    const state = await inspect(options);
    expect(state.runs).toEqual(once);
    expect(state.recorded).toEqual(NAMES);
    expect(state.tables).toEqual(migratedTables);
  });

  it('when the migration lock is taken away, then the same start fails (what the test above guards against)', async () => {
    // Kysely's MySQL adapter takes GET_LOCK on the migrating connection; without it the replicas
    // all read "nothing applied" and run the same migrations side by side.
    vi.spyOn(MysqlAdapter.prototype, 'acquireMigrationLock').mockResolvedValue(undefined);
    vi.spyOn(MysqlAdapter.prototype, 'releaseMigrationLock').mockResolvedValue(undefined);

    const settled = await Promise.allSettled(pools.map((db) => migrateToLatest(db, migrations)));

    expect(settled.filter((s) => s.status === 'rejected').length).toBeGreaterThan(0);
    const { runs } = await inspect(options);
    expect(Math.max(...Object.values(runs))).toBeGreaterThan(1);
  });
});

describe('prepareDatabase when several replicas start at once on a server without the database', () => {
  let options: { url: string; database: string };

  beforeEach(() => {
    options = { url: TEST_MYSQL_URL, database: uniqueName('t_prepconc').slice(0, 64) };
  });
  afterEach(async () => {
    await dropDatabase(TEST_MYSQL_URL, options.database);
  });

  it('when each replica creates the database, migrates and seeds it, then all succeed and everything happens once', async () => {
    // Check, wait, insert: a seed that is only right when no other replica seeds at the same time.
    const seed = async (db: Kysely<Db>) => {
      const { rows } = await sql<{ n: number }>`SELECT COUNT(*) AS n FROM widgets`.execute(db);
      if (Number(rows[0]?.n) > 0) return;
      await sql`SELECT SLEEP(0.2)`.execute(db);
      await sql`INSERT INTO widgets (id, colour) SELECT COALESCE(MAX(id), 0) + 1, 'seeded' FROM widgets`.execute(
        db,
      );
    };
    // The run log has to exist before the migrations run, so here it comes with the first one.
    const withLog: Migrations = {
      '0000_runs': sqlMigration({
        up: [
          'CREATE TABLE migration_runs (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(64) NOT NULL) ENGINE=InnoDB',
        ],
        down: [],
      }),
      ...migrations,
    };

    await Promise.all(
      Array.from({ length: REPLICAS }, () => prepareDatabase<Db>(options, withLog, seed)),
    );

    const state = await inspect(options);
    expect(state.runs).toEqual(once);
    expect(state.recorded).toEqual(['0000_runs', ...NAMES]);
    expect(state.tables).toEqual(migratedTables);
    const seeded = await withDb<Db, { id: number; colour: string }[]>(options, (db) =>
      db.selectFrom('widgets').select(['id', 'colour']).execute(),
    );
    expect(seeded).toEqual([{ id: 1, colour: 'seeded' }]);
  });

  it('when another instance holds the database past the timeout, then prepare fails and names the holder', async () => {
    const holder = await createConnection({ uri: TEST_MYSQL_URL });
    try {
      await holder.query('SELECT GET_LOCK(?, 0)', [prepareLockName(options.database)]);
      const [rows] = await holder.query<({ id: number } & RowDataPacket)[]>(
        'SELECT CONNECTION_ID() AS id',
      );
      await expect(
        prepareDatabase(options, migrations, undefined, { lockTimeoutSeconds: 1 }),
      ).rejects.toThrow(`another instance (MySQL connection ${rows[0]?.id})`);
    } finally {
      await holder.end();
    }
    // Nothing was migrated while waiting.
    const tables = await withDb(options, (db) => db.introspection.getTables());
    expect(tables).toEqual([]);
  });

  it('when the instance holding the database dies, then the waiting one goes on', async () => {
    const holder = await createConnection({ uri: TEST_MYSQL_URL });
    await holder.query('SELECT GET_LOCK(?, 0)', [prepareLockName(options.database)]);
    const waiting = prepareDatabase(options, {}, undefined, { lockTimeoutSeconds: 20 });
    // A crash, not a release: the session ends and MySQL lets the lock go.
    const started = Date.now();
    setTimeout(() => holder.destroy(), 300);
    await expect(waiting).resolves.toBeUndefined();
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });
});
