export type CircuitState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  /** Consecutive failures that open the circuit. */
  failureThreshold: number;
  /** How long an open circuit refuses before it lets one probe through. */
  openMs: number;
  /** The clock (tests pass a fake one). */
  now?: () => number;
  /** Told of every change of state (logs). */
  onChange?: (to: CircuitState, from: CircuitState) => void;
}

/**
 * A circuit breaker over one upstream, by consecutive failures: closed, it lets everything
 * through and counts failures in a row; at the threshold it opens and refuses everything for
 * `openMs`; then it is half-open and lets one request through as a probe, whose success closes
 * it and whose failure opens it again. A probe that never reports (its client went, its answer
 * was dropped) is given up after another `openMs`, so one lost answer cannot hold it half-open.
 *
 * Its own small class rather than opossum: opossum wraps a promise-returning function per call
 * and opens on an error percentage over a rolling window, while the gateway's calls complete
 * through reply-from's callbacks and the rule wanted is "N failures in a row, then one probe".
 * The closed path is one comparison per request.
 */
export class CircuitBreaker {
  #state: CircuitState = 'closed';
  #failures = 0;
  /** When the circuit opened, or when the probe in flight was let through. */
  #since = 0;
  #probing = false;
  readonly #threshold: number;
  readonly #openMs: number;
  readonly #now: () => number;
  readonly #onChange: ((to: CircuitState, from: CircuitState) => void) | undefined;

  constructor(options: CircuitBreakerOptions) {
    if (!Number.isInteger(options.failureThreshold) || options.failureThreshold < 1) {
      throw new RangeError('failureThreshold must be a positive integer');
    }
    if (!(options.openMs > 0)) throw new RangeError('openMs must be positive');
    this.#threshold = options.failureThreshold;
    this.#openMs = options.openMs;
    this.#now = options.now ?? Date.now;
    this.#onChange = options.onChange;
  }

  get state(): CircuitState {
    return this.#state;
  }

  /** Whether a request may go to the upstream now; a true while half-open makes it the probe. */
  tryAcquire(): boolean {
    if (this.#state === 'closed') return true;
    const now = this.#now();
    if (this.#state === 'open') {
      if (now - this.#since < this.#openMs) return false;
      this.#change('half-open');
    } else if (this.#probing && now - this.#since < this.#openMs) {
      return false;
    }
    this.#probing = true;
    this.#since = now;
    return true;
  }

  /** Seconds until a request may be let through again (at least 1), for Retry-After. */
  retryAfterSeconds(): number {
    if (this.#state !== 'open') return 1;
    const left = this.#openMs - (this.#now() - this.#since);
    return Math.max(1, Math.ceil(left / 1000));
  }

  /** The upstream answered. */
  recordSuccess(): void {
    this.#failures = 0;
    if (this.#state !== 'closed') {
      this.#probing = false;
      this.#change('closed');
    }
  }

  /** The upstream failed (unreachable, reset, timed out, or a 502/503/504 not of its own). */
  recordFailure(): void {
    switch (this.#state) {
      case 'closed':
        if (++this.#failures < this.#threshold) return;
        break;
      case 'open':
        // A late answer of a request let through before it opened: the cool-down stands.
        return;
      case 'half-open':
        break;
    }
    this.#failures = 0;
    this.#probing = false;
    this.#since = this.#now();
    this.#change('open');
  }

  /** A request let through ended with no verdict on the upstream (its client went). */
  release(): void {
    if (this.#state === 'half-open') this.#probing = false;
  }

  #change(to: CircuitState): void {
    const from = this.#state;
    this.#state = to;
    this.#onChange?.(to, from);
  }
}
