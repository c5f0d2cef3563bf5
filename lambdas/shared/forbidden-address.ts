/**
 * Which network addresses a URL we fetch (or hand to a BSP to fetch) may lead to. Pure: no DNS, no
 * sockets. `safe-fetch.ts` applies these rules to every address a host name resolves to; the
 * outbound contract applies them to the host written in an image URL.
 *
 * Forbidden: anything that is not the public internet. Loopback, "this network", private ranges,
 * carrier-grade NAT, link-local (where cloud metadata services live: 169.254.169.254, and
 * fd00:ec2::254 on EC2's IPv6), benchmarking, multicast, reserved and broadcast. IPv6 forms that
 * embed an IPv4 address (`::ffff:127.0.0.1`, NAT64 `64:ff9b::7f00:1`, IPv4-compatible `::7f00:1`)
 * are judged by the IPv4 address they carry, so an IPv4 rule cannot be walked around in IPv6 dress.
 */

import { PermanentError } from './errors';

/** The URL, its host or an address it resolves to is not one we may fetch from. Never retried. */
export class UnsafeUrlError extends PermanentError {}

/** An IPv4 range as `[first octets as a 32-bit number, prefix length, why]`. */
const IPV4_FORBIDDEN: ReadonlyArray<readonly [number, number, string]> = [
  [ipv4Number([0, 0, 0, 0]), 8, 'this-network'],
  [ipv4Number([10, 0, 0, 0]), 8, 'private'],
  [ipv4Number([100, 64, 0, 0]), 10, 'carrier-grade-nat'],
  [ipv4Number([127, 0, 0, 0]), 8, 'loopback'],
  [ipv4Number([169, 254, 0, 0]), 16, 'link-local'],
  [ipv4Number([172, 16, 0, 0]), 12, 'private'],
  [ipv4Number([192, 0, 0, 0]), 24, 'ietf-protocol'],
  [ipv4Number([192, 0, 2, 0]), 24, 'documentation'],
  [ipv4Number([192, 88, 99, 0]), 24, 'relay'],
  [ipv4Number([192, 168, 0, 0]), 16, 'private'],
  [ipv4Number([198, 18, 0, 0]), 15, 'benchmarking'],
  [ipv4Number([198, 51, 100, 0]), 24, 'documentation'],
  [ipv4Number([203, 0, 113, 0]), 24, 'documentation'],
  [ipv4Number([224, 0, 0, 0]), 4, 'multicast'],
  [ipv4Number([240, 0, 0, 0]), 4, 'reserved'],
];

/** The cloud metadata services' own addresses, named so that a refusal says what was tried. */
const METADATA_IPV4 = ipv4Number([169, 254, 169, 254]);
const METADATA_IPV6 = 'fd00:ec2:0:0:0:0:0:254';

/** Host names that never name a public server, whatever a resolver says. */
const FORBIDDEN_NAMES = /(^|\.)(localhost|local|internal|localdomain|home\.arpa)$/i;
const METADATA_NAMES = new Set(['metadata.google.internal', 'metadata', 'instance-data', 'instance-data.ec2.internal']);

function ipv4Number(octets: readonly number[]): number {
  return ((octets[0]! << 24) | (octets[1]! << 16) | (octets[2]! << 8) | octets[3]!) >>> 0;
}

/** The four octets of a dotted-decimal IPv4 address (what WHATWG URL and DNS give), else undefined. */
export function parseIpv4(text: string): number[] | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const octets = parts.map((part) => (/^(0|[1-9][0-9]{0,2})$/.test(part) ? Number(part) : Number.NaN));
  return octets.every((octet) => Number.isInteger(octet) && octet <= 255) ? octets : undefined;
}

/** The eight 16-bit groups of an IPv6 address (`::` and a trailing dotted IPv4 allowed), else undefined. */
export function parseIpv6(text: string): number[] | undefined {
  let address = text.replace(/^\[|\]$/g, '');
  // A zone id (`fe80::1%eth0`) names an interface: link-local either way.
  const zone = address.indexOf('%');
  if (zone >= 0) address = address.slice(0, zone);
  if (!/^[0-9a-f:.]+$/i.test(address) || !address.includes(':')) return undefined;
  const lastColon = address.lastIndexOf(':');
  const last = address.slice(lastColon + 1);
  if (last.includes('.')) {
    // A trailing dotted IPv4 (`::ffff:127.0.0.1`) stands for the last two groups.
    const v4 = parseIpv4(last);
    if (!v4) return undefined;
    const high = ((v4[0]! << 8) | v4[1]!).toString(16);
    const low = ((v4[2]! << 8) | v4[3]!).toString(16);
    return parseIpv6(`${address.slice(0, lastColon + 1)}${high}:${low}`);
  }
  const halves = address.split('::');
  if (halves.length > 2) return undefined;
  const group = (part: string) => (part === '' ? [] : part.split(':'));
  const head = group(halves[0]!);
  const rest = halves.length === 2 ? group(halves[1]!) : [];
  if ([...head, ...rest].some((g) => !/^[0-9a-f]{1,4}$/i.test(g))) return undefined;
  const missing = 8 - head.length - rest.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  return [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...rest].map((g) => parseInt(g, 16));
}

function forbiddenIpv4(value: number): string | undefined {
  if (value === METADATA_IPV4) return 'metadata';
  if (value === 0xffffffff) return 'broadcast';
  for (const [network, prefix, reason] of IPV4_FORBIDDEN) {
    const mask = prefix === 0 ? 0 : (~0 << (32 - prefix)) >>> 0;
    if (((value & mask) >>> 0) === network) return reason;
  }
  return undefined;
}

function forbiddenIpv6(groups: number[]): string | undefined {
  const [g0, g1, g2, g3, g4, g5, g6, g7] = groups as [number, number, number, number, number, number, number, number];
  const embeddedV4 = ((g6 << 16) | g7) >>> 0;
  if (groups.map((g) => g.toString(16)).join(':') === METADATA_IPV6) return 'metadata';
  const zeroHead = g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0;
  if (zeroHead && g5 === 0 && g6 === 0 && (g7 === 0 || g7 === 1)) return g7 === 0 ? 'unspecified' : 'loopback';
  // ::ffff:a.b.c.d (mapped), ::a.b.c.d (the deprecated compatible form), ::ffff:0:a.b.c.d (translated).
  if (zeroHead && (g5 === 0xffff || g5 === 0)) return forbiddenIpv4(embeddedV4) ?? (g5 === 0 ? 'ipv4-compatible' : undefined);
  if (g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0xffff && g5 === 0) return forbiddenIpv4(embeddedV4) ?? undefined;
  // NAT64 (64:ff9b::/96 well-known, 64:ff9b:1::/48 local-use): the gateway would connect to the IPv4.
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) return forbiddenIpv4(embeddedV4);
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 1) return 'nat64-local';
  if ((g0 & 0xfe00) === 0xfc00) return 'unique-local';
  if ((g0 & 0xffc0) === 0xfe80) return 'link-local';
  if ((g0 & 0xffc0) === 0xfec0) return 'site-local';
  if ((g0 & 0xff00) === 0xff00) return 'multicast';
  if (g0 === 0x2001 && g1 === 0x0db8) return 'documentation';
  // 6to4 (2002::/16) carries an IPv4 address in groups 1–2.
  if (g0 === 0x2002) return forbiddenIpv4(((g1 << 16) | g2) >>> 0);
  // Teredo (2001:0::/32): the client's IPv4 is stored inverted in the last 32 bits.
  if (g0 === 0x2001 && g1 === 0) return forbiddenIpv4(~embeddedV4 >>> 0) ?? 'teredo';
  if (g0 === 0x100 && g1 === 0 && g2 === 0 && g3 === 0) return 'discard';
  return undefined;
}

/**
 * Why an IP address (IPv4 dotted-decimal, or IPv6 with or without brackets) must not be connected
 * to, or undefined when it is a public address. A string that is not an IP address is forbidden
 * (`not-an-address`): callers pass what a resolver or a parsed URL produced, never a name.
 * @example forbiddenAddressReason('169.254.169.254') // 'metadata'
 * @example forbiddenAddressReason('::ffff:127.0.0.1') // 'loopback'
 * @example forbiddenAddressReason('157.240.22.35') // undefined
 */
export function forbiddenAddressReason(address: string): string | undefined {
  const v4 = parseIpv4(address);
  if (v4) return forbiddenIpv4(ipv4Number(v4));
  const v6 = parseIpv6(address);
  if (v6) return forbiddenIpv6(v6);
  return 'not-an-address';
}

/** True for loopback addresses only (`127.0.0.0/8`, `::1`, and IPv4 loopback in IPv6 dress). */
export function isLoopbackAddress(address: string): boolean {
  return forbiddenAddressReason(address) === 'loopback';
}

/**
 * The IP address a URL host names literally, or undefined for a host name. Expects a WHATWG
 * `URL.hostname`, which has already turned every IPv4 spelling (`2130706433`, `0x7f.1`, `0177.0.0.1`,
 * `127.1`) into dotted decimal and wrapped IPv6 in brackets.
 * @example literalAddressOf(new URL('http://0x7f.0.0.1/').hostname) // '127.0.0.1'
 */
export function literalAddressOf(hostname: string): string | undefined {
  if (hostname.startsWith('[') && hostname.endsWith(']')) return hostname.slice(1, -1);
  return parseIpv4(hostname) ? hostname : undefined;
}

/**
 * Why a URL host must not be fetched from, judged without DNS: an IP literal by the address rules,
 * a name when it can only be local (`localhost`, `*.local`, `*.internal`, metadata names).
 * Undefined when nothing is wrong that can be seen without resolving the name.
 * @example forbiddenHostReason(new URL('https://[::1]/').hostname) // 'loopback'
 * @example forbiddenHostReason('metadata.google.internal') // 'metadata'
 */
export function forbiddenHostReason(hostname: string): string | undefined {
  const literal = literalAddressOf(hostname);
  if (literal !== undefined) return forbiddenAddressReason(literal);
  const name = hostname.replace(/\.$/, '').toLowerCase();
  if (name === '') return 'empty-host';
  if (METADATA_NAMES.has(name)) return 'metadata';
  if (FORBIDDEN_NAMES.test(name) || !name.includes('.')) return 'local-name';
  return undefined;
}
