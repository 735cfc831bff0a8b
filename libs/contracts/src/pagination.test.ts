import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from './pagination.ts';

describe('cursors', () => {
  it('when a key is encoded, then it decodes to the same key', () => {
    expect(decodeCursor(encodeCursor([1999, 'a-b']), 2)).toEqual([1999, 'a-b']);
  });

  it('when a cursor is forged or of another shape, then it decodes to null', () => {
    expect(decodeCursor('not base64 json', 2)).toBeNull();
    expect(decodeCursor(encodeCursor([1]), 2)).toBeNull();
    expect(decodeCursor(Buffer.from('{"a":1}').toString('base64url'), 1)).toBeNull();
  });
});
