import type { Kysely } from 'kysely';
import type { Logger } from '@marketplace/events';
import { PeriodicTask, type TaskSettings } from '@marketplace/tasks';
import type { ProductCatalog } from './product-catalog.port.ts';
import {
  completeRelease,
  dueReleases,
  postponeRelease,
  scheduleReleases,
} from '../data/release.repository.ts';
import type { DB } from '../data/schema.ts';

const MAX_BACKOFF_MS = 5 * 60_000;
const BATCH = 50;

export interface StockReleasesOptions extends TaskSettings {
  db: Kysely<DB>;
  catalog: ProductCatalog;
  logger: Logger;
}

/**
 * Stock releases owed to product-service. Each is first written to `pending_releases` (in the
 * transaction that makes it owed), then attempted at once; a failed one is retried by a
 * background loop with back-off until product-service confirms it. Releases are idempotent
 * there, so a release made twice (two instances, a lost answer) does no harm.
 */
export class StockReleases {
  private readonly task: PeriodicTask<number>;

  constructor(private readonly options: StockReleasesOptions) {
    this.task = new PeriodicTask({
      name: 'stock-release-retry',
      run: () => this.retryDue(),
      intervalMs: options.intervalMs,
      logger: options.logger,
      registry: options.registry,
    });
  }

  /** Records releases as owed; call inside the transaction that makes them owed. */
  schedule(trx: Kysely<DB>, orderIds: string[], now: Date): Promise<void> {
    return scheduleReleases(trx, orderIds, now);
  }

  /** Tries owed releases now; a failure is left to the background loop. Never throws. */
  async attempt(orderIds: string[], requestId: string | null): Promise<void> {
    await Promise.all(orderIds.map((id) => this.releaseOne(id, 0, requestId)));
  }

  start(): void {
    this.task.start();
  }

  async stop(): Promise<void> {
    await this.task.stop();
  }

  /** One pass over the releases that are due; returns how many were confirmed. */
  async retryDue(): Promise<number> {
    const due = await dueReleases(this.options.db, new Date(), BATCH);
    const results = await Promise.all(due.map((r) => this.releaseOne(r.orderId, r.attempts, null)));
    return results.filter(Boolean).length;
  }

  private async releaseOne(
    orderId: string,
    attempts: number,
    requestId: string | null,
  ): Promise<boolean> {
    const { db, catalog, logger } = this.options;
    try {
      await catalog.release(orderId, requestId);
      await completeRelease(db, orderId);
      logger.info({ orderId, requestId }, 'stock released');
      return true;
    } catch (error) {
      const delay = Math.min(1_000 * 2 ** attempts, MAX_BACKOFF_MS);
      logger.warn(
        { err: error, orderId, requestId, attempts: attempts + 1, retryInMs: delay },
        'stock release failed; will retry',
      );
      const reason = error instanceof Error ? error.message : String(error);
      await postponeRelease(db, orderId, new Date(Date.now() + delay), reason).catch(
        (dbError: unknown) => logger.warn({ err: dbError, orderId }, 'could not postpone release'),
      );
      return false;
    }
  }
}
