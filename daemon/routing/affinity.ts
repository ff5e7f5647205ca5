// Session affinity: which upstream last answered a session, so its next turn lands where the
// provider's prompt cache is warm. Bounded (least recently used entries go first) and forgetful
// (entries idle past the TTL, like the providers' caches, are gone). Keys are 64-bit hashes of
// (model, identity): the raw identity is never kept.

export interface AffinityOptions {
  now: () => number; // ms
  ttlMs: number;
  maxSessions: number;
}

interface Entry {
  upstream: number;
  at: number;
}

export const DEFAULT_AFFINITY_TTL_MS = 5 * 60_000;
export const DEFAULT_AFFINITY_SESSIONS = 100_000;

/** The map key of a session: the same identity on another model is another session. */
export const sessionKey = (model: string | null, identity: string): bigint => BigInt(Bun.hash(`${model ?? ""}\0${identity}`));

export function createAffinity(initial: AffinityOptions) {
  let opts = initial;
  // Map order is insertion order: re-inserting on use keeps the least recently used first.
  const entries = new Map<bigint, Entry>();

  /** Drops the idle entries; they sit at the front, so this stops at the first live one. */
  function sweep(now: number): void {
    for (const [k, e] of entries) {
      if (now - e.at < opts.ttlMs) return;
      entries.delete(k);
    }
  }

  return {
    configure(next: Omit<AffinityOptions, "now">) {
      opts = { ...opts, ...next };
      while (entries.size > opts.maxSessions) entries.delete(entries.keys().next().value!);
    },

    /** The session's upstream if it is among the candidates (healthy, allowed, under limits), else null. */
    prefer<C extends { id: number }>(key: bigint, candidates: readonly C[]): C | null {
      const e = entries.get(key);
      if (!e) return null;
      if (opts.now() - e.at >= opts.ttlMs) {
        entries.delete(key);
        return null;
      }
      return candidates.find((c) => c.id === e.upstream) ?? null;
    },

    /** An upstream answered the session. Returns whether the session moved from another upstream. */
    record(key: bigint, upstream: number): boolean {
      const now = opts.now();
      sweep(now);
      const before = entries.get(key);
      entries.delete(key);
      entries.set(key, { upstream, at: now });
      if (entries.size > opts.maxSessions) entries.delete(entries.keys().next().value!);
      return before !== undefined && before.upstream !== upstream;
    },

    /** Live sessions (idle ones are dropped first). */
    size(): number {
      sweep(opts.now());
      return entries.size;
    },
  };
}

export type Affinity = ReturnType<typeof createAffinity>;
