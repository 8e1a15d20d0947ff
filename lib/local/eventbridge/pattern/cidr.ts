/** The `cidr` operator: an IPv4 or IPv6 address inside a block, e.g. `10.0.0.0/24`, `2001:db8::/32`. */
import { BlockList, isIPv4, isIPv6 } from 'node:net';
import { InvalidEventPattern, type ValueMatcher } from './types';

export function cidrMatcher(block: string): ValueMatcher {
  const [address, bits] = block.split('/');
  const family = address && isIPv4(address) ? 'ipv4' : address && isIPv6(address) ? 'ipv6' : undefined;
  const prefix = Number(bits);
  const maxBits = family === 'ipv4' ? 32 : 128;
  if (!family || bits === undefined || !/^\d+$/.test(bits) || prefix > maxBits)
    throw new InvalidEventPattern(`Nonstandard IP address: ${block}`);
  const list = new BlockList();
  list.addSubnet(address, prefix, family);
  return {
    kind: 'cidr',
    contains: (candidate) =>
      isIPv4(candidate) ? list.check(candidate, 'ipv4') : isIPv6(candidate) ? list.check(candidate, 'ipv6') : false,
  };
}
