// A sliding window for live stats (stats.tick): counts per outcome in one-second buckets, and the
// most recent latency samples for percentiles. Pure and clock-injected, so tests step time.
// Memory is fixed: `seconds` buckets and `samples` latencies, whatever the traffic.

export interface WindowOptions {
  seconds?: number;
  /** Latest samples kept for percentiles; under heavy load they cover less than the whole window. */
  samples?: number;
  now: () => number; // ms
  /** When counting started (default: now). Windows made later for a new upstream pass the collector's start. */
  since?: number;
}

export interface Percentiles {
  p50: number;
  p95: number;
}

export interface WindowReading {
  count: number;
  perSecond: number;
  outcomes: Record<string, number>;
  latency: Percentiles | null;
  ttft: Percentiles | null;
}

/** Nearest-rank percentiles of the samples taken at or after `since`. */
function createSampleRing(size: number) {
  const at = new Float64Array(size);
  const value = new Float64Array(size);
  let n = 0;
  return {
    push(t: number, v: number) {
      at[n % size] = t;
      value[n % size] = v;
      n++;
    },
    percentiles(since: number): Percentiles | null {
      const picked: number[] = [];
      for (let i = 0; i < Math.min(n, size); i++) if (at[i]! >= since) picked.push(value[i]!);
      if (picked.length === 0) return null;
      picked.sort((a, b) => a - b);
      const rank = (q: number) => picked[Math.max(0, Math.ceil(q * picked.length) - 1)]!;
      return { p50: rank(0.5), p95: rank(0.95) };
    },
  };
}

export function createWindow(opts: WindowOptions) {
  const seconds = opts.seconds ?? 60;
  const { now } = opts;
  const second = new Float64Array(seconds).fill(-1); // which second each bucket holds
  const counts = Array.from({ length: seconds }, () => new Map<string, number>());
  const latency = createSampleRing(opts.samples ?? 1024);
  const ttft = createSampleRing(opts.samples ?? 1024);
  const created = opts.since ?? now();

  function bucket(sec: number): Map<string, number> {
    const i = sec % seconds;
    if (second[i] !== sec) {
      second[i] = sec;
      counts[i]!.clear();
    }
    return counts[i]!;
  }

  return {
    /** One event (an attempt, a request) with its outcome ("ok", "timeout", "5xx", …), or `n` of a kind (tokens). */
    add(outcome: string, n = 1): void {
      const b = bucket(Math.floor(now() / 1000));
      b.set(outcome, (b.get(outcome) ?? 0) + n);
    },
    latency(ms: number): void {
      latency.push(now(), ms);
    },
    ttft(ms: number): void {
      ttft.push(now(), ms);
    },
    /** The last `seconds` seconds, the current one included. */
    read(): WindowReading {
      const t = now();
      const sec = Math.floor(t / 1000);
      const outcomes: Record<string, number> = {};
      let count = 0;
      for (let i = 0; i < seconds; i++) {
        if (second[i]! < 0 || sec - second[i]! >= seconds) continue;
        for (const [k, v] of counts[i]!) {
          outcomes[k] = (outcomes[k] ?? 0) + v;
          count += v;
        }
      }
      // A young window divides by the time it has existed, not by its full length.
      const span = Math.min(seconds, Math.max(1, (t - created) / 1000));
      const since = (sec - seconds + 1) * 1000;
      return { count, perSecond: count / span, outcomes, latency: latency.percentiles(since), ttft: ttft.percentiles(since) };
    },
  };
}

export type SlidingWindow = ReturnType<typeof createWindow>;
