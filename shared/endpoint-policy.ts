// Which upstream endpoints Route refuses, whatever the entry point (upstreams.yaml, the control
// socket, the admin API, routectl): credentials in the URL (they would sit in rows, views and
// exports; keys belong in `sk` or `headers`), and link-local or cloud-metadata addresses (an
// upstream pointing there turns the gateway into a reader of the host's instance credentials)
// unless the operator allows that host. Hosts are judged after WHATWG URL normalisation, so
// decimal, hex and octal IPv4 forms and IPv4-mapped IPv6 are caught; names that merely resolve to
// such addresses are not (no DNS here).

const METADATA_NAMES = new Set(["metadata", "metadata.google.internal"]);
const METADATA_V4 = new Set(["100.100.100.200"]); // Alibaba Cloud; AWS, GCP, Azure use 169.254.169.254
const METADATA_V6 = "fd00:ec2:0:0:0:0:0:254"; // AWS over IPv6

// A query parameter whose name says it carries a secret. Any query string is refused anyway (Route
// appends the client's path to the endpoint, so a query there would be misplaced), but the message
// then names the credential rule.
const SECRET_PARAM = /^(?:key|api[-_]?key|apikey|token|access[-_]?token|auth|authorization|secret|password|sig|signature|code)$/i;

function ipv4Parts(host: string): number[] | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  return m ? m.slice(1).map(Number) : null;
}

/** The 8 groups of an IPv6 address as the URL parser serialises it (no brackets, hex, `::`). */
function ipv6Groups(host: string): number[] | null {
  if (!host.includes(":")) return null;
  const [head, tail, more] = host.split("::");
  if (more !== undefined) return null;
  const part = (s: string | undefined) => (s ? s.split(":").map((g) => parseInt(g, 16)) : []);
  const a = part(head);
  const b = part(tail);
  const groups = tail === undefined ? a : [...a, ...Array(8 - a.length - b.length).fill(0), ...b];
  return groups.length === 8 && groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : null;
}

const linkLocalV4 = (p: number[]) => (p[0] === 169 && p[1] === 254) || METADATA_V4.has(p.join("."));

/** Why the host (a URL's hostname) is refused, or null if it is not link-local or metadata. */
function linkLocalReason(hostname: string): string | null {
  const host = hostname.replace(/^\[|\]$/g, "").replace(/\.$/, "").toLowerCase();
  if (METADATA_NAMES.has(host)) return "a cloud metadata service name";
  const v4 = ipv4Parts(host);
  if (v4) return linkLocalV4(v4) ? "a link-local or cloud metadata address" : null;
  const g = ipv6Groups(host);
  if (!g) return null;
  if ((g[0]! & 0xffc0) === 0xfe80) return "a link-local IPv6 address (fe80::/10)";
  if (g.map((x) => x.toString(16)).join(":") === METADATA_V6) return "a cloud metadata address";
  // IPv4 inside IPv6: mapped (::ffff:a.b.c.d), compatible (::a.b.c.d) and NAT64 (64:ff9b::a.b.c.d).
  const zeros = (n: number) => g.slice(0, n).every((x) => x === 0);
  const embedded = (zeros(5) && (g[5] === 0xffff || g[5] === 0)) || (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0));
  const v4in6 = [g[6]! >> 8, g[6]! & 0xff, g[7]! >> 8, g[7]! & 0xff];
  return embedded && linkLocalV4(v4in6) ? "a link-local or cloud metadata address (inside IPv6)" : null;
}

/** The host as Route compares it: the URL parser's normal form, so `allow_link_local` entries match however written. */
export function normalHost(host: string): string {
  try {
    return new URL(`http://${host.trim()}/`).hostname.replace(/\.$/, "");
  } catch {
    return host.trim().toLowerCase();
  }
}

/** Credentials in the URL: a message that names where they were (never their value), or null. */
export function credentialProblem(endpoint: string): string | null {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return null; // not a URL: the endpoint schema says so
  }
  const fix = "put the key in the upstream's `sk` (or a header in `headers`)";
  if (url.username || url.password) return `must not contain credentials (user:password@); ${fix}`;
  const names = [...url.searchParams.keys()];
  const secret = names.find((n) => SECRET_PARAM.test(n));
  if (secret !== undefined) return `must not carry a credential in its query string (parameter "${secret.slice(0, 32)}"); ${fix}`;
  if (url.search) return `must not have a query string (Route appends the request's path to the endpoint); credentials go in \`sk\` or \`headers\``;
  return null;
}

/**
 * Link-local and cloud-metadata hosts: a message saying why and how to allow it, or null.
 * `allowed`: hosts the operator allowed (`allow_link_local`), in any spelling.
 */
export function linkLocalProblem(endpoint: string, allowed: readonly string[] = []): string | null {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return null;
  }
  const reason = linkLocalReason(url.hostname);
  if (reason === null) return null;
  const host = url.hostname.replace(/\.$/, "");
  if (allowed.some((a) => normalHost(a) === host)) return null;
  return `points at ${host}, ${reason}; refused so that an upstream cannot read the host's instance credentials. If that is intended, list the host under \`allow_link_local\` in upstreams.yaml`;
}
