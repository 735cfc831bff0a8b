import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ClientContext } from '../domain/auth.service.ts';

/**
 * The client as the domain sees it: its address (`request.ip`, which follows X-Forwarded-For
 * only from the trusted proxies) and a signal that aborts when the connection closes before the
 * answer is sent, so work still waiting for its turn is skipped.
 */
export function clientOf(request: FastifyRequest, reply: FastifyReply): ClientContext {
  const controller = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) controller.abort();
  });
  return { ip: request.ip, signal: controller.signal };
}
