import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/** OWASP's scrypt parameters; N comes from config (SCRYPT_COST) so tests can lower it. */
const BLOCK_SIZE = 8;
const PARALLELISM = 1;
const SALT_BYTES = 16;
const KEY_BYTES = 32;
/** Bounds for hashes read back, so a corrupt row cannot make us allocate without limit. */
const MAX_COST = 1 << 20;

export interface PasswordHasher {
  /** A self-describing hash: `scrypt$N$r$p$salt$hash` (salt and hash in base64url). */
  hash(password: string): Promise<string>;
  /**
   * True when `password` matches `stored`. With `stored` null (no such account) it still spends a
   * full hash on a dummy, so the answer's timing does not tell whether the account exists.
   */
  verify(password: string, stored: string | null): Promise<boolean>;
  /** True when `stored` was made with other parameters than the current ones. */
  needsRehash(stored: string): boolean;
}

interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

interface ParsedHash extends ScryptParams {
  salt: Buffer;
  key: Buffer;
}

export interface PasswordHasherOptions {
  /** scrypt N, a power of two. */
  cost: number;
  /**
   * Hashes run on libuv's small thread pool (4 threads); capping how many run at once leaves
   * threads for other crypto and file work, and bounds memory (128·N·r bytes each).
   */
  maxConcurrent?: number;
}

export function createPasswordHasher(options: PasswordHasherOptions): PasswordHasher {
  const params: ScryptParams = { N: options.cost, r: BLOCK_SIZE, p: PARALLELISM };
  if (!isPowerOfTwo(params.N) || params.N > MAX_COST) {
    throw new Error('scrypt cost must be a power of two up to 2^20');
  }
  const limit = createLimiter(options.maxConcurrent ?? 2);
  const run = (password: string, salt: Buffer, p: ScryptParams, length: number) =>
    limit(() => derive(password, salt, p, length));
  let dummy: Promise<string> | undefined;

  const hash = async (password: string): Promise<string> => {
    const salt = randomBytes(SALT_BYTES);
    const key = await run(password, salt, params, KEY_BYTES);
    return format(params, salt, key);
  };

  return {
    hash,
    async verify(password, stored) {
      const parsed = stored === null ? null : parse(stored);
      if (!parsed) {
        dummy ??= hash('dummy password, never anyone’s');
        const fallback = parse(await dummy);
        if (fallback) await run(password, fallback.salt, fallback, fallback.key.length);
        return false;
      }
      const key = await run(password, parsed.salt, parsed, parsed.key.length);
      return timingSafeEqual(key, parsed.key);
    },
    needsRehash(stored) {
      const parsed = parse(stored);
      return !parsed || parsed.N !== params.N || parsed.r !== params.r || parsed.p !== params.p;
    },
  };
}

function derive(password: string, salt: Buffer, params: ScryptParams, length: number) {
  return new Promise<Buffer>((resolve, reject) => {
    // Node refuses N·r above its 32 MiB default unless maxmem is raised (128·N·r bytes needed).
    const maxmem = 256 * params.N * params.r;
    // NFKC, so the same password typed on different keyboards hashes the same.
    scrypt(password.normalize('NFKC'), salt, length, { ...params, maxmem }, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

function format(params: ScryptParams, salt: Buffer, key: Buffer): string {
  return ['scrypt', params.N, params.r, params.p, b64(salt), b64(key)].join('$');
}

/** Parses a stored hash; null for anything not a sane scrypt hash of ours. */
export function parse(stored: string): ParsedHash | null {
  const [scheme, n, r, p, salt, key, ...rest] = stored.split('$');
  if (scheme !== 'scrypt' || rest.length > 0 || !salt || !key) return null;
  const params = { N: Number(n), r: Number(r), p: Number(p) };
  const sane =
    isPowerOfTwo(params.N) &&
    params.N <= MAX_COST &&
    Number.isInteger(params.r) &&
    params.r >= 1 &&
    params.r <= 32 &&
    Number.isInteger(params.p) &&
    params.p >= 1 &&
    params.p <= 16;
  const saltBytes = Buffer.from(salt, 'base64url');
  const keyBytes = Buffer.from(key, 'base64url');
  if (!sane || saltBytes.length < 8 || keyBytes.length < 16 || keyBytes.length > 64) return null;
  return { ...params, salt: saltBytes, key: keyBytes };
}

function b64(bytes: Buffer): string {
  return bytes.toString('base64url');
}

function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n > 1 && (n & (n - 1)) === 0;
}

/** Runs at most `max` tasks at once; the rest wait in arrival order. */
function createLimiter(max: number) {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (active >= max) await new Promise<void>((resolve) => waiting.push(resolve));
    active += 1;
    try {
      return await task();
    } finally {
      active -= 1;
      waiting.shift()?.();
    }
  };
}
