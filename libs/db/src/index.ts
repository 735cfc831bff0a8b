export { createDb, ensureDatabase, dropDatabase, pingDb, type DbOptions } from './connection.ts';
export { migrateToLatest, type Migrations } from './migrate.ts';
export {
  inTransaction,
  isDuplicateKey,
  isRetryableTxError,
  type TxOptions,
} from './transaction.ts';
