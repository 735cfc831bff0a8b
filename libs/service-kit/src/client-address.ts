import { isIP, isIPv4 } from 'node:net';
import { Type } from 'typebox';

/** Loopback only: a client connecting directly cannot make up its address in X-Forwarded-For. */
export const LOOPBACK_PROXIES = '127.0.0.1,::1';

const ENTRY = '[0-9A-Fa-f:.]+(/[0-9]{1,3})?';

/**
 * A comma-separated list of proxy addresses or CIDRs (empty: none) whose X-Forwarded-For is
 * believed. The pattern catches typos at load time; {@link parseAddressList} checks each address.
 */
export function addressListConfig(fallback: string) {
  return Type.String({ pattern: `^\\s*(${ENTRY}(\\s*,\\s*${ENTRY})*)?\\s*$`, default: fallback });
}

/** The entries of an address list, each checked to be an IP address or a CIDR; throws naming a bad one. */
export function parseAddressList(list: string): string[] {
  const entries = list
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  for (const entry of entries) {
    const [address = '', bits, ...rest] = entry.split('/');
    const version = isIP(address);
    const prefix = bits === undefined ? undefined : Number(bits);
    const prefixOk =
      prefix === undefined ||
      (/^\d+$/.test(bits ?? '') && prefix <= (version === 4 ? 32 : 128) && rest.length === 0);
    if (version === 0 || !prefixOk) throw new Error(`not an IP address or CIDR: "${entry}"`);
  }
  return entries;
}

/**
 * The key a rate limit counts a client under: an IPv4 address as is (also when IPv4-mapped, as a
 * dual-stack socket reports it), an IPv6 address by its /64, since one subscriber is commonly
 * handed a whole /64 and could otherwise take a fresh address for every attempt.
 */
export function clientNetwork(ip: string): string {
  const address = ip.split('%')[0] ?? ip;
  if (isIPv4(address)) return address;
  const groups = ipv6Groups(address);
  if (!groups) return ip;
  const mapped = groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff;
  if (mapped) {
    const [high = 0, low = 0] = groups.slice(6);
    return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
  }
  return `${groups
    .slice(0, 4)
    .map((group) => group.toString(16))
    .join(':')}::/64`;
}

/** The eight 16-bit groups of an IPv6 address (a dotted IPv4 tail becomes the last two). */
function ipv6Groups(address: string): number[] | null {
  if (isIP(address) !== 6) return null;
  let text = address.toLowerCase();
  const tail = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (tail) {
    const [a, b, c, d] = tail.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, tail.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', rest] = text.split('::');
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((g) => parseInt(g, 16)));
  const left = parse(head);
  const right = rest === undefined ? [] : parse(rest);
  const zeros = rest === undefined ? [] : new Array<number>(8 - left.length - right.length).fill(0);
  const groups = [...left, ...zeros, ...right];
  return groups.length === 8 ? groups : null;
}
