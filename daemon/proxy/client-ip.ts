// Client IP: the TCP peer, unless the peer is a trusted proxy; then the rightmost X-Forwarded-For
// hop that is not itself trusted (everything left of it could have been written by the client).
import { isIPv4, isIPv6 } from "node:net";

interface Cidr {
  bytes: Uint8Array;
  bits: number;
}

function ipBytes(ip: string): Uint8Array | null {
  if (ip.startsWith("::ffff:") && isIPv4(ip.slice(7))) ip = ip.slice(7); // IPv4-mapped: compare as IPv4
  if (isIPv4(ip)) return Uint8Array.from(ip.split(".").map(Number));
  if (!isIPv6(ip)) return null;
  const [head, tail] = ip.includes("::") ? ip.split("::") : [ip, undefined];
  const parse = (s: string | undefined) => (s ? s.split(":") : []);
  let left = parse(head);
  let right = parse(tail);
  // A trailing embedded IPv4 ("::1.2.3.4") is two groups.
  const fixV4 = (g: string[]) => {
    const last = g[g.length - 1];
    if (last && isIPv4(last)) {
      const b = last.split(".").map(Number) as [number, number, number, number];
      g.splice(-1, 1, ((b[0] << 8) | b[1]).toString(16), ((b[2] << 8) | b[3]).toString(16));
    }
  };
  if (tail === undefined) fixV4(left);
  else fixV4(right);
  const groups = tail === undefined ? left : [...left, ...Array(8 - left.length - right.length).fill("0"), ...right];
  if (groups.length !== 8) return null;
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    const n = parseInt(g, 16);
    out[i * 2] = n >> 8;
    out[i * 2 + 1] = n & 255;
  });
  return out;
}

export function parseCidr(s: string): Cidr | null {
  const [ip, bitsText] = s.trim().split("/");
  const bytes = ipBytes(ip ?? "");
  if (!bytes) return null;
  const max = bytes.length * 8;
  const bits = bitsText === undefined ? max : Number(bitsText);
  if (!Number.isInteger(bits) || bits < 0 || bits > max) return null;
  return { bytes, bits };
}

function contains(c: Cidr, ip: Uint8Array): boolean {
  if (c.bytes.length !== ip.length) return false;
  let bits = c.bits;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 255 : (0xff << (8 - bits)) & 255;
    if ((c.bytes[i]! & mask) !== (ip[i]! & mask)) return false;
  }
  return true;
}

/** A test for "is this IP in one of these CIDRs"; throws on an entry that is not an IP or CIDR. */
export function cidrMatcher(list: readonly string[], what: string): (ip: string | null) => boolean {
  const cidrs = list.map((t) => {
    const c = parseCidr(t);
    if (!c) throw new Error(`${what}: "${t}" is not an IP address or CIDR; use a form like 10.0.0.0/8 or ::1`);
    return c;
  });
  return (ip) => {
    const b = ip === null ? null : ipBytes(ip);
    return b !== null && cidrs.some((c) => contains(c, b));
  };
}

export function createClientIpResolver(trusted: readonly string[]) {
  const isTrusted = cidrMatcher(trusted, "--trust-proxy");
  return (peer: string | null, forwardedFor: string | null): string | null => {
    if (!peer || trusted.length === 0 || !forwardedFor || !isTrusted(peer)) return peer;
    const hops = forwardedFor.split(",").map((h) => h.trim()).filter(Boolean);
    for (let i = hops.length - 1; i >= 0; i--) {
      if (!isTrusted(hops[i]!)) return hops[i]!;
    }
    return hops[0] ?? peer;
  };
}
