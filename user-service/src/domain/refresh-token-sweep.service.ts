import type { Kysely } from 'kysely';
import type { Logger } from '@marketplace/events';
import { PeriodicTask, type TaskSettings } from '@marketplace/tasks';
import {
  deleteFamilyTokens,
  findEndedFamilies,
  scanUnusableRefreshTokens,
  type SweepPosition,
} from '../data/refresh-token.repository.ts';
import type { DB } from '../data/schema.ts';

const DAY_MS = 86_400_000;
const DEFAULT_BATCH_SIZE = 1000;
/** The first sweep comes this soon after start, so instances restarted often still sweep. */
const FIRST_SWEEP_MAX_DELAY_MS = 60_000;

export interface RefreshTokenSweepOptions extends TaskSettings {
  db: Kysely<DB>;
  logger: Logger;
  retentionDays: number;
  batchSize?: number;
  now?: () => number;
}

/**
 * Deletes refresh tokens nobody can use any more, so the table does not grow forever.
 *
 * The rule: a token goes once every token of its family (one session) has stopped being usable,
 * by expiry, spending or revocation, more than `retentionDays` ago. A spent token is never
 * deleted for its own age alone: reuse detection needs it to recognise a replay and revoke the
 * family, which is what ends a session a thief rotated first. So while any token of the family
 * can still be exchanged, all its spent tokens stay. Once none can, a replay can only fail
 * anyway. Those states are final and a family only grows by exchanging one of its usable tokens,
 * so a family that is sweepable stays sweepable. The retention keeps the "refresh-token-reused"
 * answer and an audit trail for a while after a session ends.
 */
export class RefreshTokenSweep {
  private readonly batchSize: number;
  private readonly now: () => number;
  private readonly task: PeriodicTask<number>;

  constructor(private readonly options: RefreshTokenSweepOptions) {
    this.batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    this.now = options.now ?? Date.now;
    this.task = new PeriodicTask({
      name: 'refresh-token-sweep',
      run: (signal) => this.sweepOnce(signal),
      intervalMs: options.intervalMs,
      firstDelayMs: Math.min(options.intervalMs, FIRST_SWEEP_MAX_DELAY_MS),
      logger: options.logger,
      registry: options.registry,
    });
  }

  start(): void {
    this.task.start();
  }

  /** Stops the timer and waits for a sweep under way. */
  async stop(): Promise<void> {
    await this.task.stop();
  }

  /**
   * One sweep; returns how many tokens went. It walks the unusable tokens oldest first, a batch
   * at a time, keeps the families of each batch that ended before the cutoff, and deletes their
   * tokens `batchSize` at a time. Resuming after each batch makes the sweep one pass over the
   * tokens it must keep (spent tokens of live sessions), however many there are. An aborted
   * `signal` (the service stopping) ends it after the batch under way.
   */
  async sweepOnce(signal?: AbortSignal): Promise<number> {
    const { db, retentionDays } = this.options;
    const cutoff = new Date(this.now() - retentionDays * DAY_MS);
    let deleted = 0;
    let after: SweepPosition | undefined;
    for (;;) {
      const batch = await scanUnusableRefreshTokens(db, cutoff, this.batchSize, after);
      const families = [...new Set(batch.map((token) => token.familyId))];
      const ended = await findEndedFamilies(db, families, cutoff);
      deleted += await this.deleteFamilies(ended, cutoff);
      after = batch[batch.length - 1];
      if (batch.length < this.batchSize || signal?.aborted) break;
    }
    if (deleted > 0) {
      this.options.logger.info({ deleted, retentionDays }, 'refresh tokens swept');
    }
    return deleted;
  }

  /** DELETE ... LIMIT batchSize, repeated until a round deletes fewer. */
  private async deleteFamilies(familyIds: string[], cutoff: Date): Promise<number> {
    let deleted = 0;
    for (;;) {
      const round = await deleteFamilyTokens(this.options.db, familyIds, cutoff, this.batchSize);
      deleted += round;
      if (round < this.batchSize) return deleted;
    }
  }
}
