import { describe, expect, it } from 'vitest';
import { FailureBackoff } from './failure-backoff.ts';
import { LoginThrottle, LOGIN_THROTTLE_POLICY } from './login-throttle.ts';

function clock() {
  let now = 1_000_000;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

/** Tries a login that fails; returns what begin() said. */
function failLogin(throttle: LoginThrottle, email: string, ip: string): number | null {
  return throttle.begin(email, ip);
}

describe('FailureBackoff', () => {
  const policy = { threshold: 3, baseDelayMs: 1_000, maxDelayMs: 8_000, forgetAfterMs: 60_000 };

  it('when failures stay below the threshold, then the key never waits', () => {
    const c = clock();
    const b = new FailureBackoff({ ...policy, now: c.now });
    b.fail('a');
    b.fail('a');
    expect(b.waitMs('a')).toBe(0);
  });

  it('when failures go on past the threshold, then each wait doubles up to the cap', () => {
    const c = clock();
    const b = new FailureBackoff({ ...policy, now: c.now });
    const waits: number[] = [];
    for (let i = 0; i < 7; i++) {
      b.fail('a');
      waits.push(b.waitMs('a'));
    }
    expect(waits).toEqual([0, 0, 1_000, 2_000, 4_000, 8_000, 8_000]);
    c.advance(8_000);
    expect(b.waitMs('a')).toBe(0);
  });

  it('when a key has not failed for a while, then it starts afresh', () => {
    const c = clock();
    const b = new FailureBackoff({ ...policy, now: c.now });
    for (let i = 0; i < 5; i++) b.fail('a');
    c.advance(60_001);
    expect(b.count('a')).toBe(0);
  });

  it('when a failure is refunded, then it no longer counts', () => {
    const b = new FailureBackoff(policy);
    for (let i = 0; i < 3; i++) b.fail('a');
    b.refund('a');
    expect(b.count('a')).toBe(2);
    expect(b.waitMs('a')).toBe(0);
  });

  it('when more keys fail than it keeps, then the stalest are forgotten', () => {
    const b = new FailureBackoff({ ...policy, maxKeys: 2 });
    b.fail('a');
    b.fail('b');
    b.fail('c');
    expect([b.count('a'), b.count('b'), b.count('c')]).toEqual([0, 1, 1]);
  });
});

describe('LoginThrottle', () => {
  const owner = 'owner@example.test';

  it('when one address keeps failing on an account, then it waits longer and longer', () => {
    const c = clock();
    const t = new LoginThrottle({ now: c.now });
    for (let i = 0; i < 5; i++) expect(failLogin(t, owner, '203.0.113.1')).toBeNull();
    expect(t.begin(owner, '203.0.113.1')).toBe(2);
    c.advance(2_000);
    expect(failLogin(t, owner, '203.0.113.1')).toBeNull();
    expect(t.begin(owner, '203.0.113.1')).toBe(4);
  });

  it('when an attacker has failed many times, then the owner from another address goes ahead at once', () => {
    const c = clock();
    const t = new LoginThrottle({ now: c.now });
    for (let i = 0; i < 50; i++) {
      failLogin(t, owner, '203.0.113.1');
      c.advance(100);
    }
    expect(t.begin(owner, '198.51.100.2')).toBeNull();
    t.succeeded(owner, '198.51.100.2');
  });

  it('when many addresses guess one account, then each that failed waits on the account', () => {
    const c = clock();
    const t = new LoginThrottle({ now: c.now });
    for (let i = 0; i < LOGIN_THROTTLE_POLICY.account.threshold; i++) {
      expect(failLogin(t, owner, `203.0.113.${i + 1}`)).toBeNull();
    }
    // A bot that failed once is held up by the account's back-off, though its own pair is not.
    expect(t.begin(owner, '203.0.113.1')).toBe(2);
    // A fresh address gets its try, and the owner's right password is never refused.
    expect(t.begin(owner, '198.51.100.2')).toBeNull();
    t.succeeded(owner, '198.51.100.2');
    expect(t.begin(owner, '198.51.100.2')).toBeNull();
  });

  it('when one address fails on many accounts, then it is held up on every account', () => {
    const t = new LoginThrottle();
    for (let i = 0; i < LOGIN_THROTTLE_POLICY.network.threshold; i++) {
      expect(failLogin(t, `user-${i}@example.test`, '203.0.113.1')).toBeNull();
    }
    expect(t.begin('someone-else@example.test', '203.0.113.1')).toBe(2);
    expect(t.begin('someone-else@example.test', '198.51.100.2')).toBeNull();
  });

  it('when IPv6 clients share a /64, then they are counted as one address', () => {
    const t = new LoginThrottle();
    for (let i = 0; i < 5; i++) failLogin(t, owner, `2001:db8:1:2::${i + 1}`);
    expect(t.begin(owner, '2001:db8:1:2:ffff::9')).toBe(2);
    expect(t.begin(owner, '2001:db8:1:3::1')).toBeNull();
  });

  it('when a login succeeds, then its failures on that address are forgotten', () => {
    const t = new LoginThrottle();
    for (let i = 0; i < 4; i++) failLogin(t, owner, '203.0.113.1');
    expect(t.begin(owner, '203.0.113.1')).toBeNull();
    t.succeeded(owner, '203.0.113.1');
    for (let i = 0; i < 4; i++) expect(failLogin(t, owner, '203.0.113.1')).toBeNull();
  });

  it('when an attempt is abandoned before the password was checked, then it is no failure', () => {
    const t = new LoginThrottle();
    for (let i = 0; i < 10; i++) {
      expect(t.begin(owner, '203.0.113.1')).toBeNull();
      t.abandoned(owner, '203.0.113.1');
    }
  });
});
