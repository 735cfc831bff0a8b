import type { FastifyBaseLogger } from 'fastify';
import { Counter, Gauge, type Registry } from 'prom-client';
import { Pool, type Dispatcher } from 'undici';
import { CircuitBreaker, type CircuitState } from './circuit-breaker.ts';
import { SERVICES, type ServiceName } from './route-table.ts';

/** One service behind the gateway: where it is, its connections, and its circuit. */
export interface Upstream {
  name: ServiceName;
  /** The configured URL without a trailing slash; request paths are appended to it. */
  base: string;
  /** Keep-alive connections for its ordinary requests. */
  pool: Dispatcher;
  /** Connections for the live stream, which each hold one for their whole life. */
  streamPool: Dispatcher;
  circuit: CircuitBreaker;
  /** Counts a read sent again after its connection broke. */
  countRetry(): void;
  /** Counts a request refused at once because the circuit is open. */
  countRefused(): void;
}

export type Upstreams = Record<ServiceName, Upstream>;

export interface UpstreamOptions {
  urls: Record<ServiceName, string>;
  /** Consecutive failures that open a service's circuit. */
  failureThreshold: number;
  /** How long an open circuit refuses before one probe. */
  openMs: number;
  /** How long the live stream's service may take to send the stream's headers. */
  streamHeadersTimeoutMs: number;
  connectTimeoutMs: number;
  log: FastifyBaseLogger;
  metrics: Registry;
}

/** Gauge values of a circuit's state: what a dashboard plots and an alert compares. */
const STATE_VALUE: Record<CircuitState, number> = { closed: 0, 'half-open': 1, open: 2 };

/**
 * A pool per service: 128 keep-alive connections reused across
 * requests. An idle connection is kept for as long as the service's `Keep-Alive: timeout=`
 * allows less 2 s (4 s when it says nothing), and at most 60 s, so that behind a Kubernetes
 * Service the connections move to new replicas within a minute instead of staying pinned.
 */
function keepAlivePool(origin: string, options: Pool.Options): Dispatcher {
  return new Pool(origin, {
    pipelining: 1,
    keepAliveMaxTimeout: 60_000,
    ...options,
  });
}

/** The four services, each with its pools and circuit; the circuits' states go to `/metrics`. */
export function createUpstreams(options: UpstreamOptions): Upstreams {
  const labels = { labelNames: ['upstream'] as const, registers: [options.metrics] };
  const retries = new Counter({
    name: 'gateway_upstream_retries_total',
    help: 'Reads sent again after their connection to the service broke before any answer',
    ...labels,
  });
  const refused = new Counter({
    name: 'gateway_upstream_circuit_refused_total',
    help: 'Requests answered 503 at once because the service circuit was open',
    ...labels,
  });
  const upstreams = Object.fromEntries(
    SERVICES.map((name) => [name, createUpstream(name, options, retries, refused)]),
  ) as Upstreams;
  new Gauge({
    name: 'gateway_upstream_circuit_state',
    help: 'State of each service circuit: 0 closed, 1 half-open, 2 open',
    ...labels,
    collect() {
      for (const upstream of Object.values(upstreams)) {
        this.set({ upstream: upstream.name }, STATE_VALUE[upstream.circuit.state]);
      }
    },
  });
  return upstreams;
}

function createUpstream(
  name: ServiceName,
  options: UpstreamOptions,
  retries: Counter<'upstream'>,
  refused: Counter<'upstream'>,
): Upstream {
  const base = options.urls[name].replace(/\/+$/, '');
  const { origin } = new URL(base);
  const retried = retries.labels({ upstream: name });
  const refusedHere = refused.labels({ upstream: name });
  return {
    name,
    base,
    pool: keepAlivePool(origin, { connections: 128, connectTimeout: options.connectTimeoutMs }),
    streamPool: keepAlivePool(origin, {
      // A cap would leave the streams past it waiting, without headers, for one to end:
      // notification-service caps streams itself.
      connections: null,
      connectTimeout: options.connectTimeoutMs,
      headersTimeout: options.streamHeadersTimeoutMs,
      bodyTimeout: 0,
    }),
    circuit: new CircuitBreaker({
      failureThreshold: options.failureThreshold,
      openMs: options.openMs,
      onChange: (to, from) => {
        const level = to === 'open' ? 'warn' : 'info';
        options.log[level]({ upstream: name, from, to }, `${name} service circuit ${to}`);
      },
    }),
    countRetry: () => retried.inc(),
    countRefused: () => refusedHere.inc(),
  };
}
