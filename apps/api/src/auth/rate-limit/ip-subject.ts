/**
 * The subject a per-IP limit counts: one client network, not one address.
 *
 * Model: an IPv4 address is what one household, office or carrier NAT has, so it is counted
 * as it is. An IPv6 client is normally given a whole /64 (RFC 6177; SLAAC needs it), and can
 * pick any of its 2^64 addresses for every request, so counting per full address would give
 * it 2^64 buckets: IPv6 clients are counted per /64. An IPv4-mapped IPv6 address
 * (`::ffff:a.b.c.d`, what a dual-stack socket reports for an IPv4 peer) is that IPv4 client.
 *
 * Anything that does not parse as an address (a garbled X-Forwarded-For entry) falls into the
 * one shared `unknown` bucket with the calls that have no address at all: whoever can write
 * garbage must not get a fresh bucket per distinct string.
 */
import { isIPv4, isIPv6 } from 'node:net';

/** The bucket of calls without a usable client address (in-process calls, garbage). */
export const UNKNOWN_IP_SUBJECT = 'unknown';

/** `1.2.3.4`, `2001:db8:0:1::/64` or `unknown`; see the module header. */
export function ipSubject(ip: string | null): string {
  const address = ip === null ? null : stripDecorations(ip);
  if (address === null) return UNKNOWN_IP_SUBJECT;
  if (isIPv4(address)) return address;
  if (!isIPv6(address)) return UNKNOWN_IP_SUBJECT;
  const hextets = expandIPv6(address);
  if (isIPv4Mapped(hextets)) {
    const [high = 0, low = 0] = hextets.slice(6);
    return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
  }
  return `${hextets
    .slice(0, 4)
    .map((hextet) => hextet.toString(16))
    .join(':')}::/64`;
}

/** Removes what a proxy may wrap an address in: brackets, a port, an IPv6 zone id. */
function stripDecorations(raw: string): string | null {
  let address = raw.trim();
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(address);
  if (bracketed?.[1]) address = bracketed[1];
  const ipv4WithPort = /^(\d{1,3}(?:\.\d{1,3}){3}):\d{1,5}$/.exec(address);
  if (ipv4WithPort?.[1]) address = ipv4WithPort[1];
  // fe80::1%eth0: the zone names an interface on the sender's side, not another client.
  const zone = address.indexOf('%');
  if (zone > 0 && address.includes(':')) address = address.slice(0, zone);
  return address === '' ? null : address;
}

/** Eight 16-bit groups of a valid IPv6 address (compressed, full, or with an IPv4 tail). */
function expandIPv6(address: string): number[] {
  let text = address.toLowerCase();
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  if (tail.includes('.')) {
    const [a = 0, b = 0, c = 0, d = 0] = tail.split('.').map(Number);
    text = `${text.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', rest] = text.split('::');
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((h) => parseInt(h, 16)));
  const left = parse(head);
  const right = rest === undefined ? [] : parse(rest);
  const zeros = new Array<number>(8 - left.length - right.length).fill(0);
  return [...left, ...zeros, ...right];
}

function isIPv4Mapped(hextets: number[]): boolean {
  return hextets.slice(0, 5).every((hextet) => hextet === 0) && hextets[5] === 0xffff;
}
