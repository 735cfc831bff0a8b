import type { AppError } from '@marketplace/service-kit';
import { GatewayErrors } from '../errors.ts';

const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);
const TIMED_OUT = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/** A connection that broke before any byte of the answer: a keep-alive socket the service closed. */
const CONNECTION_LOST = new Set(['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE']);

/** Set by `UpstreamExchange` (upstream-exchange.ts) when the client left first. */
export const CLIENT_GONE = 'CLIENT_GONE';

/** Error codes along the `cause` chain (an error may wrap the one that says why). */
function codes(error: unknown): string[] {
  const found: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    const { code, cause } = current as { code?: unknown; cause?: unknown };
    if (typeof code === 'string') found.push(code);
    current = cause;
  }
  return found;
}

/** Whether the upstream request was aborted because its client left: no verdict on the service. */
export function isClientGone(error: unknown): boolean {
  return codes(error).includes(CLIENT_GONE);
}

/** Whether the connection broke before an answer came, so a read may be sent again. */
export function isConnectionLost(error: unknown): boolean {
  return codes(error).some((code) => CONNECTION_LOST.has(code));
}

/**
 * Whether an answer of the service counts against its circuit: a 502, 503 or 504 that is not
 * its own problem+json. One that is (user-service's `busy`, order-service's
 * `catalog-unavailable`, product-service's `search-warming-up`) comes from a service that is up
 * and deciding, about one route; opening its circuit would refuse all its other routes too.
 * A bare one comes from whatever stands in front of it (a sidecar, an ingress) failing to reach it.
 */
export function countsAsFailure(status: number, contentType: string | undefined): boolean {
  if (status !== 502 && status !== 503 && status !== 504) return false;
  return contentType === undefined || !contentType.startsWith('application/problem+json');
}

/** What to tell a client when a service could not be asked, or did not answer in time. */
export function classifyUpstreamError(error: unknown, service: string): AppError {
  const chain = codes(error);
  if (chain.some((code) => UNREACHABLE.has(code))) return GatewayErrors.serviceUnavailable(service);
  if (chain.some((code) => TIMED_OUT.has(code))) return GatewayErrors.upstreamTimeout(service);
  return GatewayErrors.badGateway(service);
}
