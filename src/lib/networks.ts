import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';

/**
 * Which networks outbound requests (event handlers) may reach. Addresses are sorted into
 * classes; a policy lists the classes allowed. `unspecified`, `multicast` and `reserved` can
 * never be allowed: nothing legitimate answers an HTTP POST there.
 */
export const NETWORK_CLASSES = ['public', 'private', 'loopback', 'link-local'] as const;
export type NetworkClass = (typeof NETWORK_CLASSES)[number];
export type AddressClass = NetworkClass | 'unspecified' | 'multicast' | 'reserved';

/** [class, prefix as written, prefix length]; the first match wins, anything else is public. */
const V4_RANGES: [AddressClass, string, number][] = [
  ['unspecified', '0.0.0.0', 8],
  ['loopback', '127.0.0.0', 8],
  ['private', '10.0.0.0', 8],
  ['private', '172.16.0.0', 12],
  ['private', '192.168.0.0', 16],
  ['private', '100.64.0.0', 10],
  // Cloud metadata services (169.254.169.254) live here.
  ['link-local', '169.254.0.0', 16],
  ['multicast', '224.0.0.0', 4],
  ['reserved', '240.0.0.0', 4],
];
const V6_RANGES: [AddressClass, string, number][] = [
  ['unspecified', '::', 128],
  ['loopback', '::1', 128],
  // IPv4-compatible addresses (deprecated): nothing should be reached through them.
  ['reserved', '::', 96],
  ['private', 'fc00::', 7],
  ['link-local', 'fe80::', 10],
  ['private', 'fec0::', 10],
  ['multicast', 'ff00::', 8],
];

function v4Bytes(a: string): number[] {
  return a.split('.').map(Number);
}

/** 16 bytes of an IPv6 address (`::` and a trailing dotted IPv4 part allowed; zone dropped). */
function v6Bytes(address: string): number[] {
  let a = address.split('%')[0]!;
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(a);
  if (dotted) {
    const [b0, b1, b2, b3] = dotted.slice(1).map(Number) as [number, number, number, number];
    a = `${a.slice(0, dotted.index)}${((b0 << 8) | b1).toString(16)}:${((b2 << 8) | b3).toString(16)}`;
  }
  const [head, rest] = a.includes('::') ? a.split('::') : [a, null];
  const groups = (s: string) => (s ? s.split(':').map((g) => parseInt(g, 16)) : []);
  const h = groups(head!);
  const r = rest === null ? [] : groups(rest);
  const all = [...h, ...Array(8 - h.length - r.length).fill(0), ...r];
  return all.flatMap((g) => [g >> 8, g & 255]);
}

function matches(bytes: number[], prefix: number[], bits: number): boolean {
  for (let i = 0; i < bits; i++) {
    const bit = (b: number[]) => (b[i >> 3]! >> (7 - (i & 7))) & 1;
    if (bit(bytes) !== bit(prefix)) return false;
  }
  return true;
}

function classOf(bytes: number[], ranges: [AddressClass, string, number][], parse: (a: string) => number[]): AddressClass {
  for (const [cls, prefix, bits] of ranges) if (matches(bytes, parse(prefix), bits)) return cls;
  return 'public';
}

/** The class of an IP address; IPv4-mapped and NAT64 IPv6 addresses count as their IPv4 address. */
export function addressClass(address: string): AddressClass {
  const family = isIP(address.split('%')[0]!);
  if (family === 4) return classOf(v4Bytes(address), V4_RANGES, v4Bytes);
  if (family !== 6) return 'reserved';
  const b = v6Bytes(address);
  const embedsV4 = matches(b, v6Bytes('::ffff:0:0'), 96) || matches(b, v6Bytes('64:ff9b::'), 96);
  if (embedsV4) return classOf(b.slice(12), V4_RANGES, v4Bytes);
  return classOf(b, V6_RANGES, v6Bytes);
}

/** A refused destination; `message` says which address, why, and which setting opens it. */
export class NetworkRefused extends Error {
  constructor(
    readonly address: string,
    readonly addressClass: AddressClass,
  ) {
    super(`${address} is ${addressClass === 'public' || addressClass === 'private' ? 'a' : 'on a'} ${addressClass} address, not allowed by NOTIFY24_HANDLER_NETWORKS`);
    this.name = 'NetworkRefused';
  }
}

export function checkAddress(address: string, allowed: readonly NetworkClass[]): void {
  const cls = addressClass(address);
  if (!(allowed as readonly string[]).includes(cls)) throw new NetworkRefused(address, cls);
}

/** A URL's host as an address when it is one (`[::1]` → `::1`), else null. */
export function literalAddress(hostname: string): string | null {
  const bare = hostname.replace(/^\[|\]$/g, '');
  return isIP(bare) ? bare : null;
}

/**
 * A `lookup` for `http.request` that resolves the name, refuses it when any address it
 * resolves to is not allowed, and hands the connection exactly the addresses it checked, so a
 * second answer from DNS (rebinding) never reaches the socket.
 */
export function guardedLookup(allowed: readonly NetworkClass[]): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { family: options.family ?? 0, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, '', 0);
      try {
        for (const a of addresses) checkAddress(a.address, allowed);
      } catch (refused) {
        return callback(refused as NodeJS.ErrnoException, '', 0);
      }
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
}

/** Every address `hostname` resolves to (or the literal itself), each checked; DNS errors pass through. */
export async function checkHost(hostname: string, allowed: readonly NetworkClass[], timeoutMs: number): Promise<void> {
  const literal = literalAddress(hostname);
  if (literal) return checkAddress(literal, allowed);
  const lookup = guardedLookup(allowed);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, timeoutMs);
    lookup(hostname, { all: true }, (err) => {
      clearTimeout(timer);
      if (err instanceof NetworkRefused) reject(err);
      else resolve();
    });
  });
}

/** `public,private,loopback` → the classes; unknown names are an error. */
export function parseNetworks(v: string): NetworkClass[] {
  const list = v.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  const bad = list.filter((s) => !(NETWORK_CLASSES as readonly string[]).includes(s));
  if (bad.length || !list.length) throw new Error(`expected a comma-separated list of ${NETWORK_CLASSES.join(', ')}`);
  return [...new Set(list)] as NetworkClass[];
}
