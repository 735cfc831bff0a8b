import { describe, expect, it } from 'vitest';
import { canonicalJson, fingerprint } from './checkout-fingerprint.ts';

describe('request fingerprint', () => {
  it('when keys come in another order, then the fingerprint is the same', () => {
    const a = {
      items: [{ productId: 'p', quantity: 1 }],
      shippingAddress: { city: 'X', name: 'N' },
    };
    const b = {
      shippingAddress: { name: 'N', city: 'X' },
      items: [{ quantity: 1, productId: 'p' }],
    };
    expect(canonicalJson(a)).toBe(canonicalJson(b));
    expect(fingerprint(a)).toBe(fingerprint(b));
  });

  it('when a value differs, then the fingerprint differs', () => {
    expect(fingerprint({ q: 1 })).not.toBe(fingerprint({ q: 2 }));
    expect(fingerprint({ items: [1, 2] })).not.toBe(fingerprint({ items: [2, 1] }));
  });

  it('when a property is undefined, then it counts as absent', () => {
    expect(fingerprint({ a: 1, line2: undefined })).toBe(fingerprint({ a: 1 }));
  });
});
