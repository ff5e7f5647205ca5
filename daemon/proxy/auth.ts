import { timingSafeEqual } from "node:crypto";
import { HttpError } from "./openai-error.ts";

// Bun's one-shot SHA-256: a quarter of the cost of createHash().update().digest() per request.
export const digest = (s: string) => Bun.SHA256.hash(s) as Uint8Array;

/**
 * Static client keys from the config. Keys are compared as SHA-256 digests with timingSafeEqual,
 * against every key without stopping early, so neither the key's length nor its position leaks.
 */
export function createKeyChecker(keys: readonly string[]) {
  let digests = keys.map(digest);
  /** `given`: the token's digest, computed once by the caller when it has more keys to look in. */
  const matches = (token: string, given = digest(token)) => {
    let ok = false;
    for (const d of digests) ok = timingSafeEqual(d, given) || ok;
    return ok;
  };
  return {
    get configured() {
      return digests.length > 0;
    },
    /** Is `token` one of the keys (constant time)? */
    matches,
    /** Replaces the keys (config.reload): the next request is checked against the new ones. */
    set(next: readonly string[]): void {
      digests = next.map(digest);
    },
    /**
     * Throws the seed's 401s; returns on a valid key. With `pinnable`, a key followed by
     * `-<upstream>` (one-api's pinning convention) is valid too, and the upstream reference is
     * returned; null otherwise. The whole token is tried as a key first, so keys with dashes work.
     */
    check(authorization: string | null, pinnable?: (ref: string) => boolean): string | null {
      if (digests.length === 0) {
        // Fail closed: an unconfigured gateway must not become an open relay for its upstream keys.
        throw new HttpError(401, "invalid_api_key", "no client key is configured; set `authorization` in upstreams.yaml, or start routed with --noauth");
      }
      if (!authorization || !/^Bearer(\s|$)/i.test(authorization)) {
        throw new HttpError(401, "invalid_api_key", "authorization header should start with 'Bearer'");
      }
      const token = authorization.slice(6).trim();
      if (matches(token)) return null;
      if (pinnable) {
        for (let i = token.lastIndexOf("-"); i > 0; i = token.lastIndexOf("-", i - 1)) {
          const ref = token.slice(i + 1);
          if (pinnable(ref) && matches(token.slice(0, i))) return ref;
        }
      }
      throw new HttpError(401, "invalid_api_key", "wrong authorization header");
    },
  };
}

export type KeyChecker = ReturnType<typeof createKeyChecker>;
