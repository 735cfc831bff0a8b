import { describe, expect, it } from 'vitest';
import { CircuitBreaker, type CircuitState } from './circuit-breaker.ts';

function breaker(failureThreshold = 3, openMs = 5_000) {
  let now = 1_000_000;
  const changes: string[] = [];
  const circuit = new CircuitBreaker({
    failureThreshold,
    openMs,
    now: () => now,
    onChange: (to: CircuitState, from: CircuitState) => changes.push(`${from}->${to}`),
  });
  return { circuit, changes, advance: (ms: number) => (now += ms) };
}

function fail(circuit: CircuitBreaker, times: number): void {
  for (let i = 0; i < times; i++) {
    expect(circuit.tryAcquire()).toBe(true);
    circuit.recordFailure();
  }
}

describe('CircuitBreaker', () => {
  it('when failures stay under the threshold, then it stays closed and lets everything through', () => {
    const { circuit } = breaker(3);
    fail(circuit, 2);
    expect(circuit.state).toBe('closed');
    expect(circuit.tryAcquire()).toBe(true);
  });

  it('when a success comes between failures, then the count starts again', () => {
    const { circuit } = breaker(3);
    fail(circuit, 2);
    circuit.recordSuccess();
    fail(circuit, 2);
    expect(circuit.state).toBe('closed');
  });

  it('when failures reach the threshold in a row, then it opens and refuses with a Retry-After', () => {
    const { circuit, advance } = breaker(3, 5_000);
    fail(circuit, 3);
    expect(circuit.state).toBe('open');
    expect(circuit.tryAcquire()).toBe(false);
    expect(circuit.retryAfterSeconds()).toBe(5);
    advance(3_500);
    expect(circuit.tryAcquire()).toBe(false);
    expect(circuit.retryAfterSeconds()).toBe(2);
  });

  it('when the cool-down is over, then exactly one probe goes through; its success closes it', () => {
    const { circuit, advance, changes } = breaker(3, 5_000);
    fail(circuit, 3);
    advance(5_000);
    expect(circuit.tryAcquire()).toBe(true);
    expect(circuit.state).toBe('half-open');
    expect(circuit.tryAcquire()).toBe(false);
    circuit.recordSuccess();
    expect(circuit.state).toBe('closed');
    expect(circuit.tryAcquire()).toBe(true);
    expect(changes).toEqual(['closed->open', 'open->half-open', 'half-open->closed']);
  });

  it('when the probe fails, then it opens again for a whole cool-down', () => {
    const { circuit, advance } = breaker(3, 5_000);
    fail(circuit, 3);
    advance(5_000);
    fail(circuit, 1);
    expect(circuit.state).toBe('open');
    advance(4_999);
    expect(circuit.tryAcquire()).toBe(false);
    advance(1);
    expect(circuit.tryAcquire()).toBe(true);
  });

  it('when the probe never reports, then another is let through after a cool-down', () => {
    const { circuit, advance } = breaker(3, 5_000);
    fail(circuit, 3);
    advance(5_000);
    expect(circuit.tryAcquire()).toBe(true);
    advance(4_000);
    expect(circuit.tryAcquire()).toBe(false);
    advance(1_000);
    expect(circuit.tryAcquire()).toBe(true);
  });

  it("when the probe's client goes, then the next request may probe at once", () => {
    const { circuit, advance } = breaker(3, 5_000);
    fail(circuit, 3);
    advance(5_000);
    expect(circuit.tryAcquire()).toBe(true);
    circuit.release();
    expect(circuit.tryAcquire()).toBe(true);
  });

  it('when a request let through before it opened fails late, then the cool-down is not extended', () => {
    const { circuit, advance } = breaker(3, 5_000);
    fail(circuit, 3);
    advance(4_000);
    circuit.recordFailure();
    advance(1_000);
    expect(circuit.tryAcquire()).toBe(true);
  });

  it.each([0, -1, 1.5])('when the threshold is %s, then it is refused', (failureThreshold) => {
    expect(() => new CircuitBreaker({ failureThreshold, openMs: 1_000 })).toThrow(RangeError);
  });
});
