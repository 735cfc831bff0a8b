import { createLocalJWKSet, errors, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';

/** The key set cannot be fetched and has no key for the token: the token is neither good nor bad. */
export class KeySetUnavailableError extends Error {
  constructor(cause?: unknown) {
    super('The key set cannot be fetched.', { cause });
    this.name = 'KeySetUnavailableError';
  }
}

export interface RemoteKeySetOptions {
  /** How old the keys may get before a fetch is started (in the background). */
  refreshMs?: number;
  /** An unknown `kid` refetches at most this often, so bogus tokens cannot flood user-service. */
  cooldownMs?: number;
  timeoutMs?: number;
  /** The clock (tests pass a fake one). */
  now?: () => number;
  fetch?: typeof fetch;
}

export const JWKS_REFRESH_MS = 5 * 60_000;
export const JWKS_COOLDOWN_MS = 30_000;

export interface RemoteKeySet extends JWTVerifyGetKey {
  /** Fetches now (joins a fetch in flight); false when it failed and the last keys were kept. */
  refresh(): Promise<boolean>;
}

/**
 * A key getter over a remote JWKS that keeps the last keys it fetched: an outage of the key set
 * does not fail tokens signed by a known key. A `kid` it does not know refetches (after the
 * cooldown); a failed refetch is `KeySetUnavailableError` (503), a successful one without the
 * key is jose's `JWKSNoMatchingKey` (401).
 */
export function createRemoteKeySet(url: URL, options: RemoteKeySetOptions = {}): RemoteKeySet {
  const refreshMs = options.refreshMs ?? JWKS_REFRESH_MS;
  const cooldownMs = options.cooldownMs ?? JWKS_COOLDOWN_MS;
  const timeoutMs = options.timeoutMs ?? 5_000;
  const now = options.now ?? Date.now;
  const fetchJson = options.fetch ?? fetch;
  let local: JWTVerifyGetKey | undefined;
  let fetchedAt = -Infinity;
  let attemptedAt = -Infinity;
  let lastFailed = false;
  let inFlight: Promise<boolean> | undefined;

  const load = async (): Promise<void> => {
    const response = await fetchJson(url, { signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) throw new Error(`JWKS answered ${response.status}`);
    const body = (await response.json()) as Partial<JSONWebKeySet>;
    if (!Array.isArray(body.keys)) throw new Error('JWKS has no keys array');
    local = createLocalJWKSet({ keys: body.keys });
    fetchedAt = now();
  };

  const refresh = (): Promise<boolean> => {
    inFlight ??= (async () => {
      attemptedAt = now();
      try {
        await load();
        lastFailed = false;
        return true;
      } catch {
        lastFailed = true;
        return false;
      } finally {
        inFlight = undefined;
      }
    })();
    return inFlight;
  };

  const getKey: JWTVerifyGetKey = async (header, token) => {
    if (!local) {
      // Never fetched: retry soon, not after the full cooldown, but not on every request.
      if (now() - attemptedAt < Math.min(cooldownMs, 1_000) && !inFlight)
        throw new KeySetUnavailableError();
      if (!(await refresh()) || !local) throw new KeySetUnavailableError();
    } else if (now() - fetchedAt >= refreshMs && now() - attemptedAt >= cooldownMs) {
      // Stale keys still verify while the fetch runs; a failure keeps them.
      void refresh();
    }
    try {
      return await local(header, token);
    } catch (error) {
      if (!(error instanceof errors.JWKSNoMatchingKey)) throw error;
      if (inFlight) await inFlight;
      else if (now() - attemptedAt >= cooldownMs) await refresh();
      else if (lastFailed) throw new KeySetUnavailableError(error);
      else throw error;
      if (lastFailed) throw new KeySetUnavailableError(error);
      return local(header, token);
    }
  };
  return Object.assign(getKey, { refresh });
}
