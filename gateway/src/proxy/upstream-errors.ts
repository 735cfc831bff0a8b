import type { FastifyReply } from 'fastify';
import { toProblem } from '@marketplace/service-kit';

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

export interface UpstreamFailure {
  status: 502 | 503 | 504;
  code: string;
  detail: string;
}

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
export function classifyUpstreamError(error: unknown, service: string): UpstreamFailure {
  const chain = codes(error);
  if (chain.some((code) => UNREACHABLE.has(code))) {
    return {
      status: 503,
      code: 'service-unavailable',
      detail: `The ${service} service is unavailable right now; try again shortly.`,
    };
  }
  if (chain.some((code) => TIMED_OUT.has(code))) {
    return {
      status: 504,
      code: 'upstream-timeout',
      detail: `The ${service} service did not answer in time.`,
    };
  }
  return {
    status: 502,
    code: 'bad-gateway',
    detail: `The ${service} service failed to answer properly.`,
  };
}

export function sendUpstreamError(
  reply: FastifyReply,
  error: unknown,
  service: string,
): FastifyReply {
  // reply-from has logged the error itself.
  const failure = classifyUpstreamError(error, service);
  if (failure.status === 503) reply.header('retry-after', '5');
  return reply
    .code(failure.status)
    .type('application/problem+json')
    .send(toProblem(failure.status, failure.code, failure.detail, reply.request.id));
}
