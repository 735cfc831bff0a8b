export interface AttemptThrottleOptions {
  /** Attempts allowed per key within the window. */
  maxAttempts: number;
  windowMs: number;
  /** Keys remembered at most; the least recently tried are forgotten first. */
  maxKeys?: number;
  now?: () => number;
}

/**
 * A sliding-window counter of attempts per key (an e-mail, a user id), in this process's memory:
 * enough for one instance; several instances each count their own share.
 */
export class AttemptThrottle {
  private readonly attempts = new Map<string, number[]>();
  private readonly maxKeys: number;
  private readonly now: () => number;

  constructor(private readonly options: AttemptThrottleOptions) {
    this.maxKeys = options.maxKeys ?? 100_000;
    this.now = options.now ?? Date.now;
  }

  /**
   * Records an attempt, or, when the key has used up its window, records nothing and returns the
   * seconds until the next attempt is allowed. Counting before the work (not after a failure)
   * keeps parallel requests from slipping past the limit.
   */
  hit(key: string): number | null {
    const now = this.now();
    const recent = (this.attempts.get(key) ?? []).filter((t) => t > now - this.options.windowMs);
    this.attempts.delete(key);
    const oldest = recent[0];
    if (recent.length >= this.options.maxAttempts && oldest !== undefined) {
      this.attempts.set(key, recent);
      return Math.max(1, Math.ceil((oldest + this.options.windowMs - now) / 1000));
    }
    recent.push(now);
    this.attempts.set(key, recent);
    this.evictBeyondCapacity();
    return null;
  }

  /** Forgets the key's attempts (after a success). */
  reset(key: string): void {
    this.attempts.delete(key);
  }

  private evictBeyondCapacity(): void {
    // Map iterates in insertion order and hit() re-inserts, so the first key is the stalest.
    while (this.attempts.size > this.maxKeys) {
      const stalest = this.attempts.keys().next();
      if (stalest.done) return;
      this.attempts.delete(stalest.value);
    }
  }
}
