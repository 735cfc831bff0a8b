import { describe, expect, it } from 'vitest';
import { etagOfCompressed, isCompressible, negotiateEncoding } from './compression.ts';

const json = (length?: number, extra: Record<string, string> = {}) => ({
  'content-type': 'application/json; charset=utf-8',
  ...(length === undefined ? {} : { 'content-length': String(length) }),
  ...extra,
});

describe('compression', () => {
  it.each([
    ['a large JSON answer', 'GET', 200, json(10_000), true],
    ['a JSON answer of unknown length', 'GET', 200, json(), true],
    [
      'a large problem',
      'GET',
      400,
      { 'content-type': 'application/problem+json', 'content-length': '4096' },
      true,
    ],
    ['a small JSON answer', 'GET', 200, json(1023), false],
    ['an answer to HEAD', 'HEAD', 200, json(10_000), false],
    ['a 304', 'GET', 304, json(10_000), false],
    ['a 206 part', 'GET', 206, json(10_000), false],
    ['an event stream', 'GET', 200, { 'content-type': 'text/event-stream' }, false],
    ['an answer already encoded', 'GET', 200, json(10_000, { 'content-encoding': 'gzip' }), false],
    [
      'a no-transform answer',
      'GET',
      200,
      json(10_000, { 'cache-control': 'private, no-transform' }),
      false,
    ],
    ['an answer with no type', 'GET', 200, { 'content-length': '10000' }, false],
  ])('when %s comes back, then compressible is %s', (_case, method, status, headers, expected) => {
    expect(isCompressible(method, status, headers)).toBe(expected);
  });

  it.each([
    ['gzip, deflate, br', 'br'],
    ['gzip', 'gzip'],
    ['br;q=0.5, gzip', 'gzip'],
    ['identity', undefined],
    ['deflate', undefined],
    ['', undefined],
    [undefined, undefined],
  ])('when Accept-Encoding is %j, then the encoding is %j', (header, expected) => {
    expect(negotiateEncoding(header)).toBe(expected);
  });

  it('when a compressed answer has a strong ETag, then it becomes weak; a weak one stays', () => {
    expect(etagOfCompressed('"v1"')).toBe('W/"v1"');
    expect(etagOfCompressed('W/"v1"')).toBe('W/"v1"');
    expect(etagOfCompressed(undefined)).toBeUndefined();
  });
});
