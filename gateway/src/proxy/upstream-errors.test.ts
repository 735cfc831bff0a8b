import { describe, expect, it } from 'vitest';
import { classifyUpstreamError } from './upstream-errors.ts';

const CODES: Record<number, string> = {
  502: 'bad-gateway',
  503: 'service-unavailable',
  504: 'upstream-timeout',
};
const wrapped = (code: string) => Object.assign(new Error('wrapped'), { cause: { code } });

describe('classifyUpstreamError', () => {
  it.each([
    ['ECONNREFUSED', 503],
    ['ENOTFOUND', 503],
    ['UND_ERR_CONNECT_TIMEOUT', 503],
    ['UND_ERR_HEADERS_TIMEOUT', 504],
    ['UND_ERR_BODY_TIMEOUT', 504],
    ['UND_ERR_SOCKET', 502],
    ['ECONNRESET', 502],
  ])('when the cause is %s, then the client gets %i', (code, status) => {
    const failure = classifyUpstreamError(wrapped(code), 'order');
    expect(failure.status).toBe(status);
    expect(failure.code).toBe(CODES[status]);
  });

  it('when the service is unreachable, then the detail names it and leaks nothing', () => {
    const failure = classifyUpstreamError(wrapped('ECONNREFUSED'), 'order');
    expect(failure.message).toContain('order');
    expect(failure.message).not.toContain('ECONNREFUSED');
  });
});
