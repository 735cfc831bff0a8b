import { Migrator, sql, type Kysely, type Migration } from 'kysely';
import { ensureDatabase, withDb, type DbOptions } from './connection.ts';

/** Versioned migrations, keyed by a sortable name (`0001_users`); applied in name order. */
export type Migrations = Record<string, Migration>;

/** Applies every pending migration; Kysely holds a lock so that concurrent starts are safe. */
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

/**
 * What a service does with its database before serving: create the schema when missing, apply
 * pending migrations, then `after` (reference data, a demo seed) on the same connection.
 */
export async function prepareDatabase<DB>(
  options: DbOptions,
  migrations: Migrations,
  after?: (db: Kysely<DB>) => Promise<unknown>,
): Promise<void> {
  await ensureDatabase(options.url, options.database);
  await withDb<DB, void>(options, async (db) => {
    await migrateToLatest(db, migrations);
    await after?.(db);
  });
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
