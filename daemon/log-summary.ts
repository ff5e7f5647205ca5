// Conditions that repeat on the request path (an upstream out of rotation, a failing log store)
// are logged when they begin and when they end; in between, occurrences are counted and leave as
// one summary per interval, so a busy outage costs a line a minute instead of a line a request.
// Pure and clock-injected: the summary is due at the first occurrence after the interval.

export type Counts = Record<string, number>;

export interface Episode {
  /** When the condition began. */
  since: number;
  /** Occurrences counted since the last summary (or the start), by kind. */
  counts: Counts;
  /** When the last summary left (or the condition began). */
  summarisedAt: number;
}

export interface EpisodeLogOptions {
  now: () => number;
  /** Least time between two summaries of one condition. */
  everyMs?: number;
  /** A summary is due: `counts` happened in the last `windowMs` while `key` stayed in its condition. */
  onSummary: (key: string, counts: Counts, windowMs: number, episode: Episode) => void;
}

export const SUMMARY_EVERY_MS = 60_000;

export function createEpisodeLog(opts: EpisodeLogOptions) {
  const everyMs = opts.everyMs ?? SUMMARY_EVERY_MS;
  const open = new Map<string, Episode>();

  return {
    /** The condition holds for `key`: true when it just began (log it now), false while it lasts. */
    begin(key: string): boolean {
      if (open.has(key)) return false;
      const t = opts.now();
      open.set(key, { since: t, counts: {}, summarisedAt: t });
      return true;
    },
    /** Counts one occurrence of `kind` while `key`'s condition lasts; nothing when it does not hold. */
    count(key: string, kind: string): void {
      const e = open.get(key);
      if (!e) return;
      e.counts[kind] = (e.counts[kind] ?? 0) + 1;
      const t = opts.now();
      if (t - e.summarisedAt < everyMs) return;
      const counts = e.counts;
      const windowMs = t - e.summarisedAt;
      e.counts = {};
      e.summarisedAt = t;
      opts.onSummary(key, counts, windowMs, e);
    },
    /** The condition ended: what it counted since its last summary, or null if it did not hold. */
    end(key: string): Episode | null {
      const e = open.get(key);
      if (!e) return null;
      open.delete(key);
      return e;
    },
    holds: (key: string) => open.has(key),
    /** Forgets conditions whose key no longer applies (their thing is gone or was started afresh). */
    retain(keep: (key: string) => boolean): void {
      for (const key of open.keys()) if (!keep(key)) open.delete(key);
    },
  };
}

export type EpisodeLog = ReturnType<typeof createEpisodeLog>;

/** "1200 requests skipped it, 3 trials failed": counts as words, in the order given. */
export function describeCounts(counts: Counts, words: Record<string, string>): string {
  return Object.entries(words)
    .filter(([k]) => (counts[k] ?? 0) > 0)
    .map(([k, w]) => `${counts[k]} ${w}`)
    .join(", ");
}
