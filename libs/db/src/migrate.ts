import { Migrator, sql, type Kysely, type Migration } from 'kysely';
import { ensureDatabase, withDb, type DbOptions } from './connection.ts';

/** Versioned migrations, keyed by a sortable name (`0001_users`); applied in name order. */
export type Migrations = Record<string, Migration>;

/**
 * Applies every pending migration. Safe when several instances start at once: Kysely's MySQL
 * adapter holds `GET_LOCK` on the migrating connection, so one instance migrates while the others
 * wait and then find nothing pending (libs/db/test/migrate-concurrent.test.ts). That lock has one
 * name for the whole server, so services sharing a server migrate one after the other.
 */
export async function migrateToLatest<DB>(
  db: Kysely<DB>,
  migrations: Migrations,
): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
  });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    const name = failed?.migrationName ?? 'unknown';
    throw new Error(
      `migration ${name} failed: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  return (results ?? []).map((r) => r.migrationName);
}

export interface PrepareOptions {
  /**
   * How long an instance waits for another one preparing the same database before giving up
   * (and exiting, to be restarted). Long: a migration of a big table can take minutes.
   */
  lockTimeoutSeconds?: number;
}

const PREPARE_LOCK_TIMEOUT_SECONDS = 15 * 60;

/** The name of a database's prepare lock; GET_LOCK names are server-wide and at most 64 long. */
export function prepareLockName(database: string): string {
  return `${database.slice(0, 56)}.prepare`;
}

/**
 * What a service does with its database before serving: create the schema when missing, apply
 * pending migrations, then `after` (reference data, a demo seed) on the same connection.
 *
 * Instances starting at once take turns, through a lock named after the database held for the
 * whole of it: the migrations have Kysely's lock already, but `after` would otherwise run in
 * every instance at the same moment, so a seed that checks and then inserts would insert twice.
 * Like Kysely's, the lock is the server's (`GET_LOCK`): every instance must reach the same
 * primary, and it is let go when the connection ends, so a killed instance does not keep it.
 */
export async function prepareDatabase<DB>(
  options: DbOptions,
  migrations: Migrations,
  after?: (db: Kysely<DB>) => Promise<unknown>,
  { lockTimeoutSeconds = PREPARE_LOCK_TIMEOUT_SECONDS }: PrepareOptions = {},
): Promise<void> {
  await ensureDatabase(options.url, options.database);
  const lock = prepareLockName(options.database);
  await withDb<DB, void>(options, (pool) =>
    // One connection for the lock and all the work: GET_LOCK belongs to the session.
    pool.connection().execute(async (db) => {
      const { rows } = await sql<{
        acquired: number | null;
      }>`SELECT GET_LOCK(${lock}, ${lockTimeoutSeconds}) AS acquired`.execute(db);
      if (rows[0]?.acquired !== 1) {
        const holder = await sql<{
          id: number | null;
        }>`SELECT IS_USED_LOCK(${lock}) AS id`.execute(db);
        throw new Error(
          `database ${options.database}: another instance (MySQL connection ${String(holder.rows[0]?.id)}) ` +
            `has been preparing it for over ${lockTimeoutSeconds} s; lock ${lock} not acquired`,
        );
      }
      try {
        await migrateToLatest(db, migrations);
        await after?.(db);
      } finally {
        // Not to hide the error that brought us here; the lock ends with the connection anyway.
        await sql`SELECT RELEASE_LOCK(${lock})`.execute(db).catch(() => undefined);
      }
    }),
  );
}

export interface SqlMigrationSteps {
  /** Statements applied in order. */
  up: readonly string[];
  /** Statements that undo `up`, in order. */
  down: readonly string[];
  /**
   * Session variables held on one pinned connection while the statements run, then set back to
   * their defaults (e.g. `innodb_ft_enable_stopword: 'OFF'` while a FULLTEXT index is built).
   */
  session?: Readonly<Record<string, string>>;
}

/** A migration written as plain SQL statements, the one way every service writes them. */
export function sqlMigration(steps: SqlMigrationSteps): Migration {
  const run = (statements: readonly string[]) => async (db: Kysely<unknown>) => {
    const settings = Object.entries(steps.session ?? {});
    await db.connection().execute(async (connection) => {
      for (const [name, value] of settings) {
        await sql.raw(`SET SESSION ${name} = ${value}`).execute(connection);
      }
      try {
        for (const statement of statements) await sql.raw(statement).execute(connection);
      } finally {
        for (const [name] of settings) {
          await sql.raw(`SET SESSION ${name} = DEFAULT`).execute(connection);
        }
      }
    });
  };
  return { up: run(steps.up), down: run(steps.down) };
}
