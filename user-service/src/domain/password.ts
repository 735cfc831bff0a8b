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
  hash(password: string, signal?: AbortSignal): Promise<string>;
  /**
   * True when `password` matches `stored`. With `stored` null (no such account) it still spends a
   * full hash on a dummy, so the answer's timing does not tell whether the account exists.
   */
  verify(password: string, stored: string | null, signal?: AbortSignal): Promise<boolean>;
  /** True when `stored` was made with other parameters than the current ones. */
  needsRehash(stored: string): boolean;
  /** Hashes computed since the hasher was made (skipped ones not counted). */
  readonly hashesRun: number;
  /** Hashes waiting for their turn now. */
  readonly queued: number;
}

/** Thrown at once when the queue of waiting hashes is full. */
export class HasherBusyError extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super('password hasher busy');
    this.name = 'HasherBusyError';
  }
}

/** Thrown instead of hashing when the signal says the caller has gone. */
export class HashAbortedError extends Error {
  constructor() {
    super('password hash abandoned: the caller has gone');
    this.name = 'HashAbortedError';
  }
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
  /**
   * Hashes that may wait for a turn; beyond them a hash is refused at once (HasherBusyError), so
   * a burst of logins cannot make every login wait without bound.
   */
  maxQueued?: number;
}

export function createPasswordHasher(options: PasswordHasherOptions): PasswordHasher {
  const params: ScryptParams = { N: options.cost, r: BLOCK_SIZE, p: PARALLELISM };
  if (!isPowerOfTwo(params.N) || params.N > MAX_COST) {
    throw new Error('scrypt cost must be a power of two up to 2^20');
  }
  const limit = createLimiter(options.maxConcurrent ?? 2, options.maxQueued ?? Infinity);
  const run = (
    password: string,
    salt: Buffer,
    p: ScryptParams,
    length: number,
    signal: AbortSignal | undefined,
  ) => limit(() => derive(password, salt, p, length), signal);
  // Random bytes stand in for a stored hash: the work to check against them is the same.
  const dummy: ParsedHash = {
    ...params,
    salt: randomBytes(SALT_BYTES),
    key: randomBytes(KEY_BYTES),
  };

  return {
    async hash(password, signal) {
      const salt = randomBytes(SALT_BYTES);
      const key = await run(password, salt, params, KEY_BYTES, signal);
      return format(params, salt, key);
    },
    async verify(password, stored, signal) {
      const parsed = stored === null ? null : parse(stored);
      const against = parsed ?? dummy;
      const key = await run(password, against.salt, against, against.key.length, signal);
      return parsed !== null && timingSafeEqual(key, parsed.key);
    },
    needsRehash(stored) {
      const parsed = parse(stored);
      return !parsed || parsed.N !== params.N || parsed.r !== params.r || parsed.p !== params.p;
    },
    get hashesRun() {
      return limit.started;
    },
    get queued() {
      return limit.queued;
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

interface Limiter {
  <T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T>;
  /** Tasks started so far. */
  readonly started: number;
  readonly queued: number;
}

interface Waiter {
  start: () => void;
  signal: AbortSignal | undefined;
}

/**
 * Runs at most `max` tasks at once; up to `maxQueued` more wait in arrival order, and any beyond
 * are refused at once. A waiting task whose signal aborts leaves the queue and never runs.
 */
function createLimiter(max: number, maxQueued: number): Limiter {
  let active = 0;
  let started = 0;
  // A moving average of task time, for the Retry-After of a refusal.
  let averageMs = 0;
  const waiting: Waiter[] = [];

  const next = () => {
    while (active < max) {
      const waiter = waiting.shift();
      if (!waiter) return;
      if (!waiter.signal?.aborted) {
        active += 1;
        waiter.start();
      }
    }
  };

  const turn = (signal: AbortSignal | undefined) =>
    new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        const index = waiting.indexOf(waiter);
        if (index !== -1) waiting.splice(index, 1);
        reject(new HashAbortedError());
      };
      const waiter: Waiter = {
        signal,
        start: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      waiting.push(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });

  const limit = async <T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> => {
    if (signal?.aborted) throw new HashAbortedError();
    if (active < max) {
      active += 1;
    } else if (waiting.length >= maxQueued) {
      const waitMs = ((waiting.length + active) / max) * averageMs;
      throw new HasherBusyError(Math.max(1, Math.ceil(waitMs / 1000)));
    } else {
      await turn(signal);
    }
    started += 1;
    const begun = performance.now();
    try {
      return await task();
    } finally {
      const took = performance.now() - begun;
      averageMs = averageMs === 0 ? took : averageMs * 0.8 + took * 0.2;
      active -= 1;
      next();
    }
  };
  return Object.defineProperties(limit, {
    started: { get: () => started },
    queued: { get: () => waiting.length },
  }) as Limiter;
}
