// Who is calling: a shared key of `authorization:` (openai-api-route's model: unlimited, the seed's
// 401 texts) or a client key from the database, optionally followed by `-<upstream>` to pin one
// (one-api's KEY-CHANNEL: the global allow_pinning for shared keys, each key's own for client keys).
import { digest, type KeyChecker } from "../proxy/auth.ts";
import { HttpError } from "../proxy/openai-error.ts";
import type { KeyEntry, KeyRegistry } from "./registry.ts";

export interface Caller {
  key: KeyEntry | null; // null: a shared key
  pin: string | null; // the upstream reference after the key, when pinning
}

const unauthorized = (message: string) => new HttpError(401, "invalid_api_key", message);

export function createAuthenticator(shared: KeyChecker, registry: KeyRegistry) {
  /** The client key a token is, or null; a refused key's 401 is kept in `refusal` for the end. */
  const clientKey = (token: string, refusal: { e: HttpError | null }, given?: Uint8Array): KeyEntry | null => {
    try {
      return registry.find(token, given);
    } catch (e) {
      refusal.e ??= e as HttpError;
      return null;
    }
  };

  return (authorization: string | null, sharedPinning: boolean, pinnable: (ref: string) => boolean): Caller => {
    if (!shared.configured && registry.size === 0) {
      // Fail closed: an unconfigured gateway must not become an open relay for its upstream keys.
      throw unauthorized("no client key is configured; set `authorization` in upstreams.yaml, create one with `routectl keys add`, or start routed with --noauth");
    }
    if (!authorization || !/^Bearer(\s|$)/i.test(authorization)) throw unauthorized("authorization header should start with 'Bearer'");
    const token = authorization.slice(6).trim();
    const given = digest(token); // hashed once for both kinds of key
    if (shared.matches(token, given)) return { key: null, pin: null };
    const refusal = { e: null as HttpError | null };
    const key = clientKey(token, refusal, given);
    if (key) return { key, pin: null };
    // The whole token was tried first, so keys containing dashes work; then each `-` from the right.
    for (let i = token.lastIndexOf("-"); i > 0; i = token.lastIndexOf("-", i - 1)) {
      const ref = token.slice(i + 1);
      if (!pinnable(ref)) continue;
      const head = token.slice(0, i);
      if (sharedPinning && shared.matches(head)) return { key: null, pin: ref };
      const k = clientKey(head, refusal);
      if (k?.record.allowPinning) return { key: k, pin: ref };
    }
    throw refusal.e ?? unauthorized("wrong authorization header");
  };
}

export type Authenticator = ReturnType<typeof createAuthenticator>;
