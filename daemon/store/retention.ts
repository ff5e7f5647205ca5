// The request log's retention job: off the request path, in small batches with a turn of the event
// loop between them, it (1) drops whole day partitions older than log.retention (Postgres), (2)
// deletes the remaining rows older than it, folding their key spend first (key-spend.ts), (3) clears
// bodies older than log.body_retention, (4) while the log is over log.max_size clears the oldest
// bodies, then deletes the oldest rows, and (5) gives freed pages back to the file system. A full
// pass runs every `intervalMs`; the size cap is checked every `checkMs` (cheap: a header read).
import type { RetentionSettings } from "./retention-settings.ts";
import type { LogRetentionStore } from "./types.ts";

export const DEFAULT_RETENTION_INTERVAL_MS = 5 * 60_000;
export const DEFAULT_SIZE_CHECK_MS = 10_000;
const PARTITIONS_AHEAD_MS = 2 * 86_400_000;

export interface RetentionPass {
  at: number;
  rowsDeleted: number;
  bodiesCleared: number;
  bytesFreed: number;
  /** The log's size after the pass (bytes). */
  logBytes: number;
  /** The pass stopped on this error (the next one starts over). */
  error: string | null;
}

export interface RetentionOptions {
  store: LogRetentionStore;
  settings: () => RetentionSettings;
  /** The local day `t` falls in (the configured time zone): the fold's day. */
  dayOf: (t: number) => { start: number; end: number };
  now?: () => number;
  intervalMs?: number;
  checkMs?: number;
  /** Rows per step (default 500). */
  batch?: number;
  /** Most steps a pass takes (a bound on one pass's work; the next pass goes on). */
  maxSteps?: number;
  /** Between two steps (default: a turn of the event loop). */
  pause?: () => Promise<void>;
  onPass?: (p: RetentionPass) => void;
}

/**
 * Between steps: rest four times as long as the last step took (at most 1 s), so a pass uses at
 * most about a fifth of a core beside the proxy, however large the backlog. Resting only as long as
 * the step (half a core) left p99 at c=50 ~2x worse while a 300k-row backlog was deleted on two
 * cores (bench/retention.ts, results.md).
 */
function dutyCycle(): () => Promise<void> {
  let since = performance.now();
  return async () => {
    const rest = Math.min(1000, 4 * (performance.now() - since));
    await new Promise<void>((r) => setTimeout(r, rest));
    since = performance.now();
  };
}

export function createRetention(o: RetentionOptions) {
  const now = o.now ?? Date.now;
  const batch = o.batch ?? 500;
  const maxSteps = o.maxSteps ?? 10_000;
  const pause = o.pause ?? dutyCycle();
  const s = o.store;
  // Rows before this have no bodies (cleared in ts order): each pass resumes here, not from the start.
  let bodiesUpTo = 0;
  let last: RetentionPass | null = null;
  let running: Promise<RetentionPass> | null = null;
  let timers: ReturnType<typeof setInterval>[] = [];

  /** The end of the next batch from `from`: just past `batch` rows, never past `before`. */
  async function batchEnd(from: number, before: number): Promise<number> {
    const nth = await s.nthTs(from, before, batch);
    return nth === null ? before : Math.max(nth, from + 1);
  }

  async function deleteOldest(before: number, p: RetentionPass, steps: { n: number }): Promise<boolean> {
    const first = await s.nthTs(Number.MIN_SAFE_INTEGER, before, 1);
    if (first === null) return false;
    const day = o.dayOf(first);
    const to = Math.min(await batchEnd(first, before), day.end);
    p.rowsDeleted += await s.deleteRange(day.start, day.start, to);
    steps.n++;
    return true;
  }

  async function clearNext(before: number, reason: "expired" | "max_size", p: RetentionPass, steps: { n: number }): Promise<boolean> {
    if (bodiesUpTo >= before) return false;
    const to = await batchEnd(bodiesUpTo, before);
    p.bodiesCleared += await s.clearBodies(bodiesUpTo, to, reason);
    bodiesUpTo = to;
    steps.n++;
    return true;
  }

  async function overCap(): Promise<boolean> {
    const cap = o.settings().maxBytes;
    return cap !== null && (await s.logBytes()) > cap;
  }

  async function pass(full: boolean): Promise<RetentionPass> {
    const t = now();
    const cfg = o.settings();
    const p: RetentionPass = { at: t, rowsDeleted: 0, bodiesCleared: 0, bytesFreed: 0, logBytes: 0, error: null };
    const steps = { n: 0 };
    const more = () => steps.n < maxSteps;
    try {
      if (full && cfg.retentionMs !== null) {
        const before = t - cfg.retentionMs;
        if (s.partitions) p.rowsDeleted += (await s.partitions({ from: t, ahead: t + PARTITIONS_AHEAD_MS, before, dayOf: o.dayOf })).rowsDropped;
        while (more() && (await deleteOldest(before, p, steps))) await pause();
      } else if (full && s.partitions) await s.partitions({ from: t, ahead: t + PARTITIONS_AHEAD_MS, before: -Infinity, dayOf: o.dayOf });
      if (full && cfg.bodyRetentionMs !== null) {
        while (more() && (await clearNext(t - cfg.bodyRetentionMs, "expired", p, steps))) await pause();
      }
      // Over the cap: bodies first (oldest first, up to now), then whole rows (Postgres: whole days).
      while (more() && (await overCap())) {
        if (s.dropOldestDay) {
          const n = await s.dropOldestDay(t, o.dayOf);
          if (n === null) break;
          p.rowsDeleted += n;
          steps.n++;
        } else if (!(await clearNext(t, "max_size", p, steps)) && !(await deleteOldest(Number.MAX_SAFE_INTEGER, p, steps))) break;
        await pause();
      }
      if (p.rowsDeleted > 0 || p.bodiesCleared > 0) p.bytesFreed += await s.compact();
      p.logBytes = await s.logBytes();
    } catch (err) {
      p.error = err instanceof Error ? err.message : String(err);
    }
    return p;
  }

  /** One pass (`full`: age rules too; else only the size cap); one at a time: a second call gets the running one. */
  function run(full = true): Promise<RetentionPass> {
    running ??= pass(full).then((p) => {
      if (full || p.rowsDeleted > 0 || p.bodiesCleared > 0) {
        last = p;
        o.onPass?.(p);
      }
      return p;
    }).finally(() => (running = null));
    return running;
  }

  return {
    run,
    get last() {
      return last;
    },
    start(): void {
      const every = (ms: number, f: () => void) => {
        const t = setInterval(f, ms);
        t.unref();
        timers.push(t);
      };
      every(o.intervalMs ?? DEFAULT_RETENTION_INTERVAL_MS, () => void run(true));
      every(o.checkMs ?? DEFAULT_SIZE_CHECK_MS, () => void (o.settings().maxBytes !== null && run(false)));
      void run(true); // at start: a backlog from a long stop goes now, and Postgres gets its partitions
    },
    /** Stops the timers and waits for a running pass. */
    async stop(): Promise<void> {
      for (const t of timers) clearInterval(t);
      timers = [];
      await running;
    },
  };
}

export type Retention = ReturnType<typeof createRetention>;
