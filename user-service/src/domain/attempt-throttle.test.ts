import { describe, expect, it } from 'vitest';
import { AttemptThrottle } from './attempt-throttle.ts';

function throttle(maxKeys?: number) {
  let now = 1_000_000;
  const t = new AttemptThrottle({
    maxAttempts: 3,
    windowMs: 60_000,
    now: () => now,
    ...(maxKeys !== undefined ? { maxKeys } : {}),
  });
  return { t, advance: (ms: number) => (now += ms) };
}

describe('AttemptThrottle', () => {
  it('when attempts stay within the limit, then each is allowed', () => {
    const { t } = throttle();
    expect([t.hit('a'), t.hit('a'), t.hit('a')]).toEqual([null, null, null]);
  });

  it('when the limit is used up, then the next attempt waits until the oldest leaves the window', () => {
    const { t, advance } = throttle();
    t.hit('a');
    advance(10_000);
    t.hit('a');
    t.hit('a');
    expect(t.hit('a')).toBe(50);
    advance(50_000);
    expect(t.hit('a')).toBeNull();
  });

  it('when one key is throttled, then other keys are not', () => {
    const { t } = throttle();
    for (let i = 0; i < 3; i++) t.hit('a');
    expect(t.hit('a')).not.toBeNull();
    expect(t.hit('b')).toBeNull();
  });

  it('when a key is reset, then it starts afresh', () => {
    const { t } = throttle();
    for (let i = 0; i < 3; i++) t.hit('a');
    t.reset('a');
    expect(t.hit('a')).toBeNull();
  });

  it('when more keys are tried than it keeps, then the stalest are forgotten', () => {
    const { t } = throttle(2);
    for (let i = 0; i < 3; i++) t.hit('a');
    t.hit('b');
    t.hit('c');
    expect(t.hit('a')).toBeNull();
  });
});
