import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { ProductErrors } from '../domain/errors.ts';

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/** An onRequest hook admitting only callers that present the shared internal token. */
export function requireInternalToken(expected: string) {
  // Comparing fixed-size digests keeps the check constant-time whatever the header's length.
  const expectedDigest = digest(expected);
  return async (request: FastifyRequest): Promise<void> => {
    const header = request.headers['x-internal-token'];
    const given = typeof header === 'string' ? header : '';
    if (!timingSafeEqual(digest(given), expectedDigest))
      throw ProductErrors.internalTokenRequired();
  };
}
