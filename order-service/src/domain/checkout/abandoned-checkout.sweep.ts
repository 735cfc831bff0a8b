import type { Kysely } from 'kysely';
import { inTransaction } from '@marketplace/db';
import type { Logger } from '@marketplace/events';
import { PeriodicTask, type TaskSettings } from '@marketplace/tasks';
import {
  abandonedClaims,
  deleteClaim,
  deleteExpiredKeys,
  lockAbandonedClaim,
  type KeyClaim,
} from '../../data/idempotency.repository.ts';
import { checkoutHasOrders } from '../../data/order.repository.ts';
import { scheduleReleases } from '../../data/release.repository.ts';
import type { DB } from '../../data/schema.ts';
import { STALE_KEY_AFTER_MS } from './checkout-key.ts';

const DEFAULT_BATCH = 500;
/** Per pass, so that one pass stays short; what is left waits for the next one. */
const MAX_BATCHES = 20;

export interface IdempotencySweepOptions extends TaskSettings {
  db: Kysely<DB>;
  logger: Logger;
  /** How long a completed key keeps its answer for replays, from the claim that completed it. */
  keyTtlMs: number;
  /** How long a key may stay in flight before its checkout counts as abandoned. */
  abandonAfterMs: number;
  /** Rows per DELETE, and abandoned keys looked at per pass. */
  batchSize?: number;
}

export interface SweepResult {
  /** Completed keys deleted. */
  expired: number;
  /** Abandoned in-flight keys dropped. */
  abandoned: number;
  /** Stock releases recorded for the abandoned keys' orders. */
  releases: number;
}

/** What giving back one abandoned key came to. */
export type GiveBack =
  | { outcome: 'dropped'; orderIds: string[] }
  /** Taken over, completed or dropped meanwhile: someone else answers for it. */
  | { outcome: 'moved-on' }
  /** Orders were committed under its checkout: nothing may be released. */
  | { outcome: 'sold' };

/**
 * Drops one abandoned key and records releases of the orders it may hold, in one transaction,
 * the way a failing checkout abandons itself; the release loop then calls product-service. The
 * key is locked and re-checked under the claim seen by the scan, so a request that takes it over
 * at the same moment wins, and of several sweeping instances only one drops it.
 */
export async function giveBackAbandoned(
  db: Kysely<DB>,
  claim: KeyClaim,
  cutoff: Date,
  now: Date,
): Promise<GiveBack> {
  return inTransaction(db, async (trx): Promise<GiveBack> => {
    const locked = await lockAbandonedClaim(trx, claim, cutoff);
    if (!locked) return { outcome: 'moved-on' };
    // Orders are committed in the transaction that completes the key, so an in-flight key has
    // none; should one ever have, what was sold keeps its stock.
    if (await checkoutHasOrders(trx, locked.checkoutId)) return { outcome: 'sold' };
    if (!(await deleteClaim(trx, claim))) return { outcome: 'moved-on' };
    await scheduleReleases(trx, locked.orderIds, now);
    return { outcome: 'dropped', orderIds: locked.orderIds };
  });
}

/**
 * Keeps `idempotency_keys` bounded: deletes completed keys past their TTL and gives back the
 * stock of checkouts whose request died and whose client never came back. Safe to run on every
 * instance at once.
 */
export class IdempotencySweep {
  private readonly batchSize: number;
  private readonly task: PeriodicTask<SweepResult>;

  constructor(private readonly options: IdempotencySweepOptions) {
    // A retry within the takeover window must find its key, not a swept one.
    if (options.abandonAfterMs <= STALE_KEY_AFTER_MS) {
      throw new Error(`abandonAfterMs must exceed the ${STALE_KEY_AFTER_MS} ms takeover window`);
    }
    this.batchSize = options.batchSize ?? DEFAULT_BATCH;
    this.task = new PeriodicTask({
      name: 'idempotency-sweep',
      run: () => this.sweep(),
      intervalMs: options.intervalMs,
      logger: options.logger,
      registry: options.registry,
    });
  }

  /** One pass; `now` decides which keys count as old. */
  async sweep(now = new Date()): Promise<SweepResult> {
    const expired = await this.deleteExpired(new Date(now.getTime() - this.options.keyTtlMs));
    const { abandoned, releases } = await this.dropAbandoned(now);
    const result = { expired, abandoned, releases };
    if (expired + abandoned > 0) this.options.logger.info(result, 'idempotency keys swept');
    return result;
  }

  start(): void {
    this.task.start();
  }

  async stop(): Promise<void> {
    await this.task.stop();
  }

  private async deleteExpired(cutoff: Date): Promise<number> {
    let total = 0;
    for (let batch = 0; batch < MAX_BATCHES; batch++) {
      const deleted = await inTransaction(this.options.db, (trx) =>
        deleteExpiredKeys(trx, cutoff, this.batchSize),
      );
      total += deleted;
      if (deleted < this.batchSize) break;
    }
    return total;
  }

  private async dropAbandoned(now: Date): Promise<{ abandoned: number; releases: number }> {
    const { db, logger, abandonAfterMs } = this.options;
    const cutoff = new Date(now.getTime() - abandonAfterMs);
    let abandoned = 0;
    let releases = 0;
    for (const claim of await abandonedClaims(db, cutoff, this.batchSize)) {
      try {
        const result = await giveBackAbandoned(db, claim, cutoff, now);
        if (result.outcome === 'sold') {
          logger.error({ userId: claim.userId }, 'in-flight idempotency key has orders; kept');
        } else if (result.outcome === 'dropped') {
          abandoned++;
          releases += result.orderIds.length;
        }
      } catch (error) {
        logger.warn({ err: error, userId: claim.userId }, 'could not sweep an abandoned key');
      }
    }
    return { abandoned, releases };
  }
}
