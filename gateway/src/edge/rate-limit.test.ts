import { afterEach, describe, expect, it, vi } from 'vitest';
import { LocalCounter, retryIn } from './rate-limit.ts';

describe('LocalCounter', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('when a key is counted within its window, then the count grows and the ttl shrinks', () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const counter = new LocalCounter(10);
    expect(counter.incr('a', 60_000)).toEqual({ current: 1, ttl: 60_000 });
    vi.advanceTimersByTime(15_000);
    expect(counter.incr('a', 60_000)).toEqual({ current: 2, ttl: 45_000 });
  });

  it('when its window has passed, then the key starts again at one', () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const counter = new LocalCounter(10);
    counter.incr('a', 60_000);
    vi.advanceTimersByTime(60_000);
    expect(counter.incr('a', 60_000)).toEqual({ current: 1, ttl: 60_000 });
  });

  it('when more keys are counted than it holds, then the oldest is dropped first', () => {
    const counter = new LocalCounter(2);
    counter.incr('a', 60_000);
    counter.incr('b', 60_000);
    counter.incr('c', 60_000);
    expect(counter.incr('b', 60_000).current).toBe(2);
    expect(counter.incr('a', 60_000).current).toBe(1);
  });
});

describe('retryIn', () => {
  it('when a wait is worded, then it reads as @fastify/rate-limit worded it', () => {
    expect(retryIn(0)).toBe('0 ms');
    expect(retryIn(1)).toBe('1 second');
    expect(retryIn(59)).toBe('59 seconds');
    expect(retryIn(60)).toBe('1 minute');
    expect(retryIn(150)).toBe('3 minutes');
  });
});
