import { describe, expect, it } from 'vitest';
import { createPasswordHasher, HashAbortedError, HasherBusyError, parse } from './password.ts';

const hasher = createPasswordHasher({ cost: 1024 });

describe('password hashing', () => {
  it('when a password is hashed, then the hash describes itself and hides the password', async () => {
    const stored = await hasher.hash('correct horse battery staple');
    expect(stored).toMatch(/^scrypt\$1024\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    expect(stored).not.toContain('horse');
  });

  it('when the same password is hashed twice, then the salts differ', async () => {
    expect(await hasher.hash('same password')).not.toBe(await hasher.hash('same password'));
  });

  it('when the right password is given, then it verifies; a wrong one does not', async () => {
    const stored = await hasher.hash('s3cret-pass');
    expect(await hasher.verify('s3cret-pass', stored)).toBe(true);
    expect(await hasher.verify('s3cret-pasS', stored)).toBe(false);
    expect(await hasher.verify('', stored)).toBe(false);
  });

  it('when there is no stored hash, then verify spends a hash and says no', async () => {
    expect(await hasher.verify('anything', null)).toBe(false);
  });

  it('when a stored hash is corrupt, then it never verifies', async () => {
    for (const stored of [
      '',
      'plain',
      'bcrypt$10$abc',
      'scrypt$1000$8$1$c2FsdHNhbHRzYWx0$a2V5a2V5a2V5a2V5a2V5a2V5',
      'scrypt$1073741824$8$1$c2FsdHNhbHRzYWx0$a2V5a2V5a2V5a2V5a2V5a2V5',
    ]) {
      expect(await hasher.verify('plain', stored)).toBe(false);
    }
  });

  it('when a password differs only in Unicode form, then it still verifies', async () => {
    const stored = await hasher.hash('caf\u00e9-password');
    expect(await hasher.verify('cafe\u0301-password', stored)).toBe(true);
  });

  it('when the cost changes, then older hashes still verify and ask for a rehash', async () => {
    const stronger = createPasswordHasher({ cost: 2048 });
    const old = await hasher.hash('upgrade me');
    expect(await stronger.verify('upgrade me', old)).toBe(true);
    expect(stronger.needsRehash(old)).toBe(true);
    expect(hasher.needsRehash(old)).toBe(false);
    expect(parse(await stronger.hash('x'))?.N).toBe(2048);
  });

  it('when the full OWASP cost is used, then Node accepts it (maxmem is raised)', async () => {
    const owasp = createPasswordHasher({ cost: 131_072 });
    const stored = await owasp.hash('owasp strength');
    expect(await owasp.verify('owasp strength', stored)).toBe(true);
  }, 20_000);

  it('when the cost is not a power of two, then the hasher refuses to be built', () => {
    expect(() => createPasswordHasher({ cost: 1000 })).toThrow();
  });

  it('when more hashes come than run and wait, then the extra ones are refused at once', async () => {
    const bounded = createPasswordHasher({ cost: 16_384, maxConcurrent: 1, maxQueued: 2 });
    const settled: string[] = [];
    const attempts = Array.from({ length: 5 }, (_, i) =>
      bounded.hash(`password ${i}`).then(
        () => settled.push(`hashed ${i}`),
        (error: unknown) => settled.push(error instanceof HasherBusyError ? `busy ${i}` : 'other'),
      ),
    );
    await Promise.all(attempts);
    expect(settled).toEqual(['busy 3', 'busy 4', 'hashed 0', 'hashed 1', 'hashed 2']);
    expect(bounded.hashesRun).toBe(3);
  });

  it('when a waiting hash is abandoned, then it is never computed', async () => {
    const bounded = createPasswordHasher({ cost: 16_384, maxConcurrent: 1, maxQueued: 2 });
    const gone = new AbortController();
    const first = bounded.hash('first');
    const abandoned = bounded.verify('second', null, gone.signal);
    expect(bounded.queued).toBe(1);
    gone.abort();
    await expect(abandoned).rejects.toBeInstanceOf(HashAbortedError);
    expect(bounded.queued).toBe(0);
    await first;
    expect(bounded.hashesRun).toBe(1);
  });
});
