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
  "cookie",
]);

// fetch already decoded the body, so its encoding and length no longer describe what we send.
const DROP_DOWNSTREAM = new Set(["content-encoding", "content-length", "set-cookie", "alt-svc"]);

function connectionNamed(h: Headers): Set<string> | null {
  const c = h.get("connection");
  if (!c) return null;
  return new Set(c.split(",").map((s) => s.trim().toLowerCase()).filter(Boolean));
}

function copy(from: Headers, drop: Set<string>): Headers {
  const named = connectionNamed(from);
  const out = new Headers();
  from.forEach((value, key) => {
    if (HOP_BY_HOP.has(key) || drop.has(key) || key.startsWith("proxy-") || named?.has(key)) return;
    out.append(key, value);
  });
  return out;
}

export function upstreamRequestHeaders(client: Headers, sk: string): Headers {
  const h = copy(client, DROP_UPSTREAM);
  h.set("authorization", `Bearer ${sk}`);
  return h;
}

export function clientResponseHeaders(upstream: Headers): Headers {
  return copy(upstream, DROP_DOWNSTREAM);
}
