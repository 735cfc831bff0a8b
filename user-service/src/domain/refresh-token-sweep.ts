import type { Kysely } from 'kysely';
import type { Logger } from '@marketplace/events';
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

export interface RefreshTokenSweepOptions {
  db: Kysely<DB>;
  logger: Logger;
  intervalMs: number;
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
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = false;

  constructor(private readonly options: RefreshTokenSweepOptions) {
    this.batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    this.now = options.now ?? Date.now;
  }

  start(): void {
    if (!this.stopped) this.schedule(Math.min(this.options.intervalMs, FIRST_SWEEP_MAX_DELAY_MS));
  }

  /** Stops the timer and waits for a sweep under way. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /**
   * One sweep; returns how many tokens went. It walks the unusable tokens oldest first, a batch
   * at a time, keeps the families of each batch that ended before the cutoff, and deletes their
   * tokens `batchSize` at a time. Resuming after each batch makes the sweep one pass over the
   * tokens it must keep (spent tokens of live sessions), however many there are.
   */
  async sweepOnce(): Promise<number> {
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
      if (batch.length < this.batchSize || this.stopped) break;
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

  private schedule(delayMs: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.running = this.sweepOnce()
        .catch((error: unknown) => {
          this.options.logger.warn({ err: error }, 'refresh token sweep failed; will retry');
        })
        .finally(() => {
          this.running = undefined;
          if (!this.stopped) this.schedule(this.options.intervalMs);
        });
    }, delayMs);
    // A pending sweep never keeps the process alive.
    this.timer.unref();
  }
}
