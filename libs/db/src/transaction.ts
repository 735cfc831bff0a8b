import type { Kysely, Transaction } from 'kysely';

const DUPLICATE_KEY = 1062;
const DEADLOCK = 1213;
const LOCK_WAIT_TIMEOUT = 1205;
// A row still referenced (1451), or a reference to a row that is not there (1452).
const FOREIGN_KEY = [1451, 1452];

function errno(error: unknown): number | undefined {
  return typeof error === 'object' && error !== null && 'errno' in error
    ? Number(error.errno)
    : undefined;
}

export function isDuplicateKey(error: unknown): boolean {
  return errno(error) === DUPLICATE_KEY;
}

export function isForeignKeyViolation(error: unknown): boolean {
  return FOREIGN_KEY.includes(errno(error) ?? 0);
}

export function isRetryableTxError(error: unknown): boolean {
  const code = errno(error);
  return code === DEADLOCK || code === LOCK_WAIT_TIMEOUT;
}

// Connection-level MySQL errors: the server is down, restarting, full or unreachable (mysql2 names
// them by `code`; the server-side ones also carry an errno).
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
]);
// too many connections, server shutdown, gone away, lost during query, killed, client timeout
const UNREACHABLE_ERRNOS = new Set([1040, 1053, 2002, 2003, 2006, 2013, 1927, 4031]);

/**
 * True for a failure that says nothing about the work itself: the database was unreachable,
 * restarting or out of connections, or a lock could not be had. The same work may succeed later.
 */
export function isTransientDbError(error: unknown): boolean {
  if (isRetryableTxError(error)) return true;
  if (typeof error !== 'object' || error === null) return false;
  const code = 'code' in error ? String(error.code) : '';
  if (UNREACHABLE_CODES.has(code)) return true;
  if (UNREACHABLE_ERRNOS.has(errno(error) ?? 0)) return true;
  // mysql2 marks errors that broke the connection as fatal.
  return 'fatal' in error && error.fatal === true;
}

export interface TxOptions {
  /** Attempts in all, for deadlocks and lock-wait timeouts. */
  attempts?: number;
}

/** Runs `work` in a transaction, retrying the whole of it on deadlock or lock-wait timeout. */
export async function inTransaction<DB, T>(
  db: Kysely<DB>,
  work: (trx: Transaction<DB>) => Promise<T>,
  options: TxOptions = {},
): Promise<T> {
  const attempts = options.attempts ?? 4;
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction().execute(work);
    } catch (error) {
      if (attempt >= attempts || !isRetryableTxError(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 10 * 2 ** attempt + Math.random() * 10));
    }
  }
}
