// Upstream error bodies sometimes echo the key they were sent ("Incorrect API key provided: sk-…").
// Anything that looks like a key, and the upstream's own key, is masked before a client sees it.
const KEY_LIKE = /\b(sk|ak|rk|pk)-[A-Za-z0-9_*.-]{6,}/g;

export function redactText(text: string, secret: string): string {
  let out = secret && text.includes(secret) ? text.split(secret).join("[redacted]") : text;
  out = out.replace(KEY_LIKE, (m) => `${m.slice(0, 3)}[redacted]`);
  return out;
}

export function redactBytes(body: Uint8Array, secret: string): Uint8Array {
  const text = new TextDecoder().decode(body);
  const out = redactText(text, secret);
  return out === text ? body : new TextEncoder().encode(out);
}
