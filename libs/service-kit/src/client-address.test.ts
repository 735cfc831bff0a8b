import { Type } from 'typebox';
import { describe, expect, it } from 'vitest';
import { serverConfig } from './config-fragments.ts';
import { clientNetwork, parseAddressList } from './client-address.ts';
import { loadConfig } from './config.ts';

describe('clientNetwork', () => {
  it('when the client is IPv4, then it is counted by its address', () => {
    expect(clientNetwork('203.0.113.7')).toBe('203.0.113.7');
  });

  it('when the client is IPv4-mapped IPv6, then it is counted as the IPv4 address', () => {
    expect(clientNetwork('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(clientNetwork('::FFFF:cb00:7107')).toBe('203.0.113.7');
  });

  it('when the client is IPv6, then it is counted by its /64', () => {
    expect(clientNetwork('2001:db8:1:2:aaaa:bbbb:cccc:dddd')).toBe('2001:db8:1:2::/64');
    expect(clientNetwork('2001:0DB8:0001:0002::1')).toBe('2001:db8:1:2::/64');
    expect(clientNetwork('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(clientNetwork('::1')).toBe('0:0:0:0::/64');
    expect(clientNetwork('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
  });

  it('when two IPv6 clients share a /64, then they share a key; another /64 does not', () => {
    expect(clientNetwork('2001:db8:1:2::a')).toBe(clientNetwork('2001:db8:1:2:ffff::b'));
    expect(clientNetwork('2001:db8:1:3::a')).not.toBe(clientNetwork('2001:db8:1:2::a'));
  });

  it('when the address is not an IP, then it is kept as given', () => {
    expect(clientNetwork('unknown')).toBe('unknown');
  });
});

describe('trusted proxies', () => {
  const schema = Type.Object(serverConfig(8080));

  it('when TRUSTED_PROXIES is not set, then loopback is trusted', () => {
    expect(parseAddressList(loadConfig(schema, {}).TRUSTED_PROXIES)).toEqual(['127.0.0.1', '::1']);
  });

  it('when a list of addresses and CIDRs is given, then each entry is kept', () => {
    const config = loadConfig(schema, { TRUSTED_PROXIES: ' 10.0.0.0/8, fd00::/8 ,192.0.2.1' });
    expect(parseAddressList(config.TRUSTED_PROXIES)).toEqual([
      '10.0.0.0/8',
      'fd00::/8',
      '192.0.2.1',
    ]);
  });

  it('when the list is not addresses, then loading or parsing names the problem', () => {
    expect(() => loadConfig(schema, { TRUSTED_PROXIES: 'true' })).toThrow(/TRUSTED_PROXIES/);
    expect(() => parseAddressList('10.0.0.0/33')).toThrow(/10\.0\.0\.0\/33/);
    expect(() => parseAddressList('1.2.3')).toThrow(/1\.2\.3/);
    expect(parseAddressList('')).toEqual([]);
  });
});
