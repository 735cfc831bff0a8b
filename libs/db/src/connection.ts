import { CompiledQuery, Kysely, MysqlDialect, sql } from 'kysely';
import { createPool } from 'mysql2';
import { createConnection as createPromiseConnection } from 'mysql2/promise';
import { rememberPool } from './pool-metrics.ts';

export interface DbOptions {
  /** Server URL without a database, e.g. mysql://root@127.0.0.1:3306 */
  url: string;
  database: string;
  poolSize?: number;
}

const DB_NAME = /^[A-Za-z0-9_]{1,64}$/;

function assertDbName(database: string): void {
  if (!DB_NAME.test(database)) throw new Error(`invalid database name: ${database}`);
}

/** A Kysely instance over a mysql2 pool; times are UTC, DATETIME values come back as Date. */
export function createDb<DB>(options: DbOptions): Kysely<DB> {
  assertDbName(options.database);
  const pool = createPool({
    uri: options.url,
    database: options.database,
    connectionLimit: options.poolSize ?? 10,
    timezone: 'Z',
    charset: 'utf8mb4',
    decimalNumbers: true,
    supportBigNumbers: true,
    // fail fast instead of queueing forever when the server is gone
    connectTimeout: 5_000,
  });
  const db = new Kysely<DB>({
    dialect: new MysqlDialect({
      pool,
      // SQL's own clock (CURRENT_TIMESTAMP, column defaults) must agree with the UTC the driver
      // writes for JS dates, whatever the server's time zone is.
      onCreateConnection: async (connection) => {
        await connection.executeQuery(CompiledQuery.raw("SET time_zone = '+00:00'"));
      },
    }),
  });
  // For registerPoolMetrics: Kysely does not hand its pool back.
  rememberPool(db, options.database, pool);
  return db;
}

/** Creates the service's schema if it does not exist yet (first start, or a test's own database). */
export async function ensureDatabase(url: string, database: string): Promise<void> {
  assertDbName(database);
  const connection = await createPromiseConnection({ uri: url, connectTimeout: 5_000 });
  try {
    await connection.query(
      `CREATE DATABASE IF NOT EXISTS \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
    );
  } finally {
    await connection.end();
  }
}

export async function dropDatabase(url: string, database: string): Promise<void> {
  assertDbName(database);
  const connection = await createPromiseConnection({ uri: url, connectTimeout: 5_000 });
  try {
    await connection.query(`DROP DATABASE IF EXISTS \`${database}\``);
  } finally {
    await connection.end();
  }
}

export async function pingDb<DB>(db: Kysely<DB>): Promise<void> {
  await sql`SELECT 1`.execute(db);
}

/** Runs `work` with a short-lived single-connection pool, closed afterwards (start-up chores). */
export async function withDb<DB, T>(
  options: DbOptions,
  work: (db: Kysely<DB>) => Promise<T>,
): Promise<T> {
  const db = createDb<DB>({ ...options, poolSize: 1 });
  try {
    return await work(db);
  } finally {
    await db.destroy();
  }
}
