import type { FastifyReply } from 'fastify';
import type { AppError } from '@marketplace/service-kit';
import { GatewayErrors } from '../errors.ts';

const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
  'FST_REPLY_FROM_SERVICE_UNAVAILABLE',
]);
const TIMED_OUT = new Set([
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'FST_REPLY_FROM_GATEWAY_TIMEOUT',
  'FST_REPLY_FROM_TIMEOUT',
]);

/** Error codes along the `cause` chain (reply-from wraps undici's error). */
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

/** What to tell a client when a service could not be asked, or did not answer in time. */
export function classifyUpstreamError(error: unknown, service: string): AppError {
  const chain = codes(error);
  if (chain.some((code) => UNREACHABLE.has(code))) return GatewayErrors.serviceUnavailable(service);
  if (chain.some((code) => TIMED_OUT.has(code))) return GatewayErrors.upstreamTimeout(service);
  return GatewayErrors.badGateway(service);
}

/** Answers through the kit's error handler, as any other error (reply-from has logged it). */
export function sendUpstreamError(
  reply: FastifyReply,
  error: unknown,
  service: string,
): FastifyReply {
  return reply.send(classifyUpstreamError(error, service));
}
