import { createHash } from 'node:crypto';

/**
 * The id of a checkout's order for one seller: a name-based UUID (RFC 9562 v5) of the seller id in
 * the checkout's namespace. Only the checkout id is stored with the idempotency key, yet a retry
 * after a crash derives the very same order ids, so product-service's per-order reservation is
 * not made twice.
 */
export function orderIdFor(checkoutId: string, sellerId: string): string {
  const namespace = Buffer.from(checkoutId.replace(/-/g, ''), 'hex');
  if (namespace.length !== 16) throw new Error(`checkout id is not a UUID: ${checkoutId}`);
  const hash = createHash('sha1').update(namespace).update(sellerId, 'utf8').digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
