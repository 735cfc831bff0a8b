import type { Kysely } from 'kysely';
import type { Registry } from 'prom-client';
import { createDb, pingDb, type DbOptions } from './connection.ts';
import { registerPoolMetrics } from './pool-metrics.ts';
import { isTransientDbError } from './transaction.ts';

/**
 * A service's database as its app wires it, the same in every service that has one: the pool,
 * the `/ready` check, which errors mean the database is away (the kit answers those 503 with
 * Retry-After instead of 500), and the pool's gauges on `/metrics`.
 */
export interface ServiceDatabase<DB> {
  db: Kysely<DB>;
  /** For the kit's `readiness`. */
  ready: () => Promise<void>;
  /** For the kit's `unavailable`. */
  isUnavailable: (error: unknown) => boolean;
  /** Registers the pool's gauges on the service's registry (`app.metrics`). */
  observe: (registry: Registry) => void;
}

export function serviceDatabase<DB>(options: DbOptions): ServiceDatabase<DB> {
  const db = createDb<DB>(options);
  return {
    db,
    ready: () => pingDb(db),
    isUnavailable: isTransientDbError,
    observe: (registry) => registerPoolMetrics(db, registry),
  };
}
