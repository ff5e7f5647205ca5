import { createHash, timingSafeEqual } from "node:crypto";
import { HttpError } from "./openai-error.ts";

const digest = (s: string) => createHash("sha256").update(s).digest();

/**
 * Static client keys from the config. Keys are compared as SHA-256 digests with timingSafeEqual,
 * against every key without stopping early, so neither the key's length nor its position leaks.
 */
export function createKeyChecker(keys: readonly string[]) {
  let digests = keys.map(digest);
  return {
    get configured() {
      return digests.length > 0;
    },
    /** Replaces the keys (config.reload): the next request is checked against the new ones. */
    set(next: readonly string[]): void {
      digests = next.map(digest);
    },
    /** Throws the seed's 401s; returns on a valid key. */
    check(authorization: string | null): void {
      if (digests.length === 0) {
        // Fail closed: an unconfigured gateway must not become an open relay for its upstream keys.
        throw new HttpError(401, "invalid_api_key", "no client key is configured; set `authorization` in upstreams.yaml, or start routed with --noauth");
      }
      if (!authorization || !/^Bearer(\s|$)/i.test(authorization)) {
        throw new HttpError(401, "invalid_api_key", "authorization header should start with 'Bearer'");
      }
      const given = digest(authorization.slice(6).trim());
      let ok = false;
      for (const d of digests) ok = timingSafeEqual(d, given) || ok;
      if (!ok) throw new HttpError(401, "invalid_api_key", "wrong authorization header");
    },
  };
}

export type KeyChecker = ReturnType<typeof createKeyChecker>;
