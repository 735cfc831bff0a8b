export {
  createDb,
  ensureDatabase,
  dropDatabase,
  pingDb,
  withDb,
  type DbOptions,
} from './connection.ts';
export {
  migrateToLatest,
  prepareDatabase,
  sqlMigration,
  type Migrations,
  type SqlMigrationSteps,
} from './migrate.ts';
export {
  inTransaction,
  isDuplicateKey,
  isForeignKeyViolation,
  isRetryableTxError,
  isTransientDbError,
  type TxOptions,
} from './transaction.ts';
export {
  paginate,
  paginateUnion,
  encodeCursor,
  decodeCursor,
  InvalidCursorError,
  type CursorField,
  type CursorValue,
  type KeysetPage,
  type PageDirection,
  type PageKey,
  type ColumnPageKey,
  type PageOptions,
} from './pagination.ts';
export { forceIndex } from './index-hint.ts';
export { registerPoolMetrics, poolStats, type PoolStats } from './pool-metrics.ts';
export { serviceDatabase, type ServiceDatabase } from './service-database.ts';
