// Session affinity: which upstream last answered a session, so its next turn lands where the
// provider's prompt cache is warm. Bounded (least recently used entries go first) and forgetful
// (entries idle past the TTL, like the providers' caches, are gone). Keys are 64-bit hashes of
// (model, identity): the raw identity is never kept.

export interface AffinityOptions {
  now: () => number; // ms
  ttlMs: number;
  maxSessions: number;
}

/** A node of the recency list: least recently answered at the head. */
interface Entry {
  key: bigint;
  upstream: number;
  at: number;
  prev: Entry | null;
  next: Entry | null;
}

export const DEFAULT_AFFINITY_TTL_MS = 5 * 60_000;
export const DEFAULT_AFFINITY_SESSIONS = 100_000;

/** The map key of a session: the same identity on another model is another session. */
export const sessionKey = (model: string | null, identity: string): bigint => BigInt(Bun.hash(`${model ?? ""}\0${identity}`));

export function createAffinity(initial: AffinityOptions) {
  let opts = initial;
  // A linked list beside the map, rather than the map's own insertion order: Bun's Map walks over
  // deleted slots from its start, so "oldest first" there costs more the more entries churned.
  const entries = new Map<bigint, Entry>();
  let head: Entry | null = null;
  let tail: Entry | null = null;

  function unlink(e: Entry): void {
    if (e.prev) e.prev.next = e.next;
    else head = e.next;
    if (e.next) e.next.prev = e.prev;
    else tail = e.prev;
    e.prev = e.next = null;
  }
  function remove(e: Entry): void {
    unlink(e);
    entries.delete(e.key);
  }
  function append(e: Entry): void {
    e.prev = tail;
    if (tail) tail.next = e;
    else head = e;
    tail = e;
  }
  /** Drops idle entries (at the head: the list is in answer order) and any past the bound. */
  function trim(now: number): void {
    while (head && (now - head.at >= opts.ttlMs || entries.size > opts.maxSessions)) remove(head);
  }

  return {
    configure(next: Omit<AffinityOptions, "now">) {
      opts = { ...opts, ...next };
      trim(opts.now());
    },

    /** The session's upstream if it is among the candidates (healthy, allowed, under limits), else null. */
    prefer<C extends { id: number }>(key: bigint, candidates: readonly C[]): C | null {
      const e = entries.get(key);
      if (!e) return null;
      if (opts.now() - e.at >= opts.ttlMs) {
        remove(e);
        return null;
      }
      return candidates.find((c) => c.id === e.upstream) ?? null;
    },

    /** An upstream answered the session. Returns whether the session moved from another upstream. */
    record(key: bigint, upstream: number): boolean {
      const now = opts.now();
      trim(now);
      const e = entries.get(key);
      if (!e) {
        append({ key, upstream, at: now, prev: null, next: null });
        entries.set(key, tail!);
        trim(now);
        return false;
      }
      const moved = e.upstream !== upstream;
      unlink(e);
      e.upstream = upstream;
      e.at = now;
      append(e);
      return moved;
    },

    /** Live sessions (idle ones are dropped first). */
    size(): number {
      trim(opts.now());
      return entries.size;
    },
  };
}

export type Affinity = ReturnType<typeof createAffinity>;
