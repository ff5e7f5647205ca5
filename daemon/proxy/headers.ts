// Forwarding rules for headers, both directions.

const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "proxy-connection",
  "proxy-authenticate",
  "proxy-authorization",
]);

// Never sent upstream: the client's credentials (ours, not the upstream's), its Host, its proxy
// chain, and what fetch computes itself (length, encodings it can decode).
const DROP_UPSTREAM = new Set([
  "host",
  "authorization",
  "api-key",
  "x-api-key",
  "content-length",
  "accept-encoding",
  "forwarded",
  "x-forwarded-for",
  "x-forwarded-host",
  "x-forwarded-proto",
  "x-real-ip",
  "true-client-ip",
  "cf-connecting-ip",
  "cookie",
  // The client's choice of OpenAI organisation/project must not bill the operator's upstream account.
  "openai-organization",
  "openai-project",
]);

// fetch already decoded the body, so its encoding and length no longer describe what we send; the
// rest tells clients about the operator's upstream (software, account, project) or sets its cookies.
// The upstream's x-request-id is passed as x-upstream-request-id (attempt.ts); Route's own takes its place.
const DROP_DOWNSTREAM = new Set([
  "content-encoding",
  "content-length",
  "set-cookie",
  "alt-svc",
  "server",
  "x-powered-by",
  "openai-organization",
  "openai-project",
  "x-request-id",
]);

/** Plain header records: what fetch and Response take without another native Headers object. */
export type HeaderRecord = Record<string, string>;

const TO_UPSTREAM_DROPS = new Set([...HOP_BY_HOP, ...DROP_UPSTREAM]);
const TO_CLIENT_DROPS = new Set([...HOP_BY_HOP, ...DROP_DOWNSTREAM]);

/**
 * One pass over the incoming headers into a plain record, skipping what must not cross. Cheaper than
 * a native copy followed by a delete per dropped name (~20 calls into native code a request).
 * Names arrive lowercased; names listed in Connection are dropped too, as are proxy-* headers.
 */
function filter(from: Headers, drop: Set<string>): HeaderRecord {
  const connection = from.get("connection");
  const named = connection ? new Set(connection.split(",").map((n) => n.trim().toLowerCase())) : null;
  const out: HeaderRecord = {};
  for (const [key, value] of from) {
    if (drop.has(key) || key.startsWith("proxy-") || named?.has(key)) continue;
    out[key] = value;
  }
  return out;
}

/**
 * What goes upstream: the client's headers minus credentials, hop-by-hop and proxy chain (the
 * caller adds the upstream's auth), plus Route's `Via` entry (`via`: this node's token).
 */
export function upstreamRequestHeaders(client: Headers, via: string): HeaderRecord {
  const out = filter(client, TO_UPSTREAM_DROPS);
  out.via = out.via ? `${out.via}, ${via}` : via;
  return out;
}

/**
 * Loop guard: a request that carries this node's own Via token went out through this Route and came
 * back (an upstream pointing at Route itself, or at a chain leading back to it).
 */
export function isLoop(client: Headers, via: string): boolean {
  const v = client.get("via");
  return v !== null && v.includes(via);
}

export function clientResponseHeaders(upstream: Headers): HeaderRecord {
  return filter(upstream, TO_CLIENT_DROPS);
}
