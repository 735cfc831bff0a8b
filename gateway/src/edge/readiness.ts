import type { FastifyInstance } from 'fastify';
import type { RemoteKeySet } from '@marketplace/jwt';
import type { ReadinessCheck } from '@marketplace/service-kit';
import type { CircuitState } from '../proxy/circuit-breaker.ts';
import type { Upstream, Upstreams } from '../proxy/upstreams.ts';

/** How long a service's own `/ready` answer is believed, and how long it may take. */
const PROBE_TTL_MS = 5_000;
const PROBE_TIMEOUT_MS = 1_000;
/**
 * How long `/ready` waits for a fetch of the JWKS (whose own timeout is 5 s) before it answers
 * with the keys it holds: the kubelet's probe gives up after 3 s (deploy/k8s), and a slow
 * user-service must not make the gateway look dead. With the services' probes after it, `/ready`
 * answers within 2.5 s.
 */
const JWKS_WAIT_MS = 1_500;

/** `work`'s result if it settles within `ms`, else `fallback()` (the work goes on). */
function within<T>(work: Promise<T>, ms: number, fallback: () => T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(fallback()), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

type ProbeResult = 'ok' | 'unavailable' | 'unknown';

export interface UpstreamReadiness {
  circuit: CircuitState;
  /** The service's own `/ready`, asked at most every 5 s. */
  ready: ProbeResult;
}

/**
 * The gateway's one readiness condition: it can verify tokens, i.e. it holds user-service's
 * public keys. A fetch of the JWKS that fails after one succeeded keeps the gateway ready on the
 * keys it has (as the verifier keeps verifying with them); only a gateway that never got them is
 * not ready. Upstream services do not count: every replica sees the same ones, so taking
 * replicas out of the load balancer for a service that is down would take the whole site down
 * with it (the catalog with the orders, the SPA with the API).
 */
export class TokenKeysReadiness {
  #fetched = false;
  #current = false;

  constructor(private readonly keys: RemoteKeySet) {}

  readonly check: ReadinessCheck = async () => {
    const fetched = this.keys.refresh().then((ok) => {
      this.#current = ok;
      if (ok) this.#fetched = true;
      return ok;
    });
    // A fetch still running counts as not current; the keys held (if any) still verify.
    if (!(await within(fetched, JWKS_WAIT_MS, () => false))) this.#current = false;
    if (!this.#fetched) throw new Error('the JWKS has never been fetched');
  };

  /** 'current' when the last fetch worked, 'last-known' when the keys of an earlier one are used. */
  get state(): 'current' | 'last-known' | 'none' {
    if (this.#current) return 'current';
    return this.#fetched ? 'last-known' : 'none';
  }
}

/** A service's `/ready`, asked at most every {@link PROBE_TTL_MS}; concurrent askers share a probe. */
class ReadyProbe {
  #result: ProbeResult = 'unknown';
  #checkedAt = -Infinity;
  #inFlight: Promise<ProbeResult> | undefined;

  constructor(private readonly url: string) {}

  result(): Promise<ProbeResult> {
    if (Date.now() - this.#checkedAt < PROBE_TTL_MS) return Promise.resolve(this.#result);
    this.#inFlight ??= this.#ask().finally(() => (this.#inFlight = undefined));
    return this.#inFlight;
  }

  async #ask(): Promise<ProbeResult> {
    try {
      const response = await fetch(this.url, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
      await response.body?.cancel();
      this.#result = response.ok ? 'ok' : 'unavailable';
    } catch {
      this.#result = 'unavailable';
    }
    this.#checkedAt = Date.now();
    return this.#result;
  }
}

export interface ReadinessDetails {
  upstreams: Upstreams;
  tokenKeys: TokenKeysReadiness;
  /** Where the rate limit counts: 'memory', 'redis', or 'memory (redis unreachable)'. */
  rateLimitStore: () => string;
}

function isReadinessBody(payload: unknown): boolean {
  return typeof payload === 'object' && payload !== null && 'checks' in payload;
}

/**
 * Adds to the kit's `/ready` body (`{status, checks}`) what an operator asks next: each
 * service's circuit and own readiness, whether the token keys are current, where the rate limit
 * counts. None of these changes the status (see {@link TokenKeysReadiness}).
 */
export function registerReadinessDetails(app: FastifyInstance, details: ReadinessDetails): void {
  const probes = Object.values(details.upstreams).map(
    (upstream) => [upstream, new ReadyProbe(new URL('/ready', upstream.base).href)] as const,
  );
  const describe = async (): Promise<Record<string, UpstreamReadiness>> => {
    const described = await Promise.all(
      probes.map(async ([upstream, probe]: readonly [Upstream, ReadyProbe]) => {
        const ready = await probe.result();
        return [upstream.name, { circuit: upstream.circuit.state, ready }] as const;
      }),
    );
    return Object.fromEntries(described);
  };
  app.addHook('preSerialization', (request, _reply, payload, done) => {
    // The kit's readiness answer only, not the 404 the public port gives for /ready.
    if (request.routeOptions.url !== '/ready' || !isReadinessBody(payload)) {
      done(null, payload);
      return;
    }
    describe().then(
      (upstreams) =>
        done(null, {
          ...(payload as object),
          jwks: details.tokenKeys.state,
          upstreams,
          rateLimit: details.rateLimitStore(),
        }),
      (error: unknown) => done(error as Error),
    );
  });
}
