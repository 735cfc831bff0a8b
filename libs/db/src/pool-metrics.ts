import type { Pool } from 'mysql2';
import { Gauge, type Registry } from 'prom-client';

/** What the pool's counts are read from: mysql2 keeps them in queues it does not expose. */
interface PoolQueues {
  _allConnections?: { length: number };
  _freeConnections?: { length: number };
  _connectionQueue?: { length: number };
  config?: { connectionLimit?: number };
}

export interface PoolStats {
  /** Connections checked out: a query or transaction runs on each. */
  used: number;
  /** Connections open and free. */
  idle: number;
  /** Callers waiting for a connection because all `max` are in use. */
  pending: number;
  max: number;
}

const pools = new WeakMap<object, { name: string; pool: Pool }>();

/** Called by createDb: remembers the pool behind a Kysely instance, for its metrics. */
export function rememberPool(db: object, name: string, pool: Pool): void {
  pools.set(db, { name, pool });
}

function poolOf(db: object, caller: string): { name: string; pool: Pool } {
  const entry = pools.get(db);
  if (!entry) throw new Error(`${caller}: this Kysely instance was not made by createDb`);
  return entry;
}

/** The pool's counts now (of a Kysely instance made by createDb); NaN for any mysql2 hides. */
export function poolStats(db: object): PoolStats {
  return statsOf(poolOf(db, 'poolStats').pool);
}

function statsOf(pool: Pool): PoolStats {
  const queues = pool as unknown as PoolQueues;
  const all = queues._allConnections?.length ?? NaN;
  const idle = queues._freeConnections?.length ?? NaN;
  return {
    used: all - idle,
    idle,
    pending: queues._connectionQueue?.length ?? NaN,
    max: queues.config?.connectionLimit ?? NaN,
  };
}

interface PoolGauges {
  /** The pools served, by name. */
  pools: Map<string, Pool>;
}

const gaugesByRegistry = new WeakMap<Registry, PoolGauges>();

function poolGauges(registry: Registry): PoolGauges {
  const existing = gaugesByRegistry.get(registry);
  if (existing) return existing;
  const gauges: PoolGauges = { pools: new Map() };
  const each = (read: (stats: PoolStats, name: string) => void) => {
    for (const [name, pool] of gauges.pools) read(statsOf(pool), name);
  };
  new Gauge({
    name: 'db_client_connections',
    help: 'Database pool connections by state: used (checked out) or idle (open and free)',
    labelNames: ['pool', 'state'] as const,
    registers: [registry],
    collect() {
      each((stats, pool) => {
        this.set({ pool, state: 'used' }, stats.used);
        this.set({ pool, state: 'idle' }, stats.idle);
      });
    },
  });
  new Gauge({
    name: 'db_client_connections_max',
    help: 'The most connections the database pool opens',
    labelNames: ['pool'] as const,
    registers: [registry],
    collect() {
      each((stats, pool) => this.set({ pool }, stats.max));
    },
  });
  new Gauge({
    name: 'db_client_connections_pending_requests',
    help: 'Callers waiting for a database connection because every one is in use',
    labelNames: ['pool'] as const,
    registers: [registry],
    collect() {
      each((stats, pool) => this.set({ pool }, stats.pending));
    },
  });
  gaugesByRegistry.set(registry, gauges);
  return gauges;
}

/**
 * Serves the pool's counts of `db` (made by createDb) on `registry`, read at scrape time (no
 * cost per query), labelled `pool` with its database name.
 */
export function registerPoolMetrics(db: object, registry: Registry): void {
  const { name, pool } = poolOf(db, 'registerPoolMetrics');
  poolGauges(registry).pools.set(name, pool);
}
