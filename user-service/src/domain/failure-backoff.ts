export interface BackoffPolicy {
  /** From this many failures on, each failure makes the key wait before its next attempt. */
  threshold: number;
  /** The wait after the threshold-th failure; it doubles with every further one. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A key with no failure for this long starts afresh. */
  forgetAfterMs: number;
}

export interface FailureBackoffOptions extends BackoffPolicy {
  /** Keys remembered at most; the least recently failed are forgotten first. */
  maxKeys?: number;
  now?: () => number;
}

interface Failures {
  count: number;
  lastAt: number;
}

/**
 * Failures per key with exponential back-off, in this process's memory: below the threshold a
 * key is never held up; from it on, the wait after its latest failure doubles with each failure
 * (capped), so a guesser slows down geometrically while an owner's few typos cost nothing.
 */
export class FailureBackoff {
  private readonly failures = new Map<string, Failures>();
  private readonly maxKeys: number;
  private readonly now: () => number;

  constructor(private readonly policy: FailureBackoffOptions) {
    this.maxKeys = policy.maxKeys ?? 100_000;
    this.now = policy.now ?? Date.now;
  }

  /** Recent failures of the key (0 once forgotten). */
  count(key: string): number {
    return this.current(key)?.count ?? 0;
  }

  /** Milliseconds the key must still wait before an attempt; 0 when it may go ahead. */
  waitMs(key: string): number {
    const entry = this.current(key);
    if (!entry || entry.count < this.policy.threshold) return 0;
    const doublings = Math.min(entry.count - this.policy.threshold, 30);
    const delay = Math.min(this.policy.maxDelayMs, this.policy.baseDelayMs * 2 ** doublings);
    return Math.max(0, entry.lastAt + delay - this.now());
  }

  fail(key: string): void {
    const count = this.count(key) + 1;
    this.failures.delete(key);
    this.failures.set(key, { count, lastAt: this.now() });
    while (this.failures.size > this.maxKeys) {
      // Map iterates in insertion order and fail() re-inserts, so the first key is the stalest.
      const stalest = this.failures.keys().next();
      if (stalest.done) return;
      this.failures.delete(stalest.value);
    }
  }

  /** Takes back one failure: an attempt counted as failed before it was known to succeed. */
  refund(key: string): void {
    const entry = this.current(key);
    if (!entry) return;
    if (entry.count <= 1) this.failures.delete(key);
    else entry.count -= 1;
  }

  reset(key: string): void {
    this.failures.delete(key);
  }

  private current(key: string): Failures | undefined {
    const entry = this.failures.get(key);
    if (entry && this.now() - entry.lastAt > this.policy.forgetAfterMs) {
      this.failures.delete(key);
      return undefined;
    }
    return entry;
  }
}
