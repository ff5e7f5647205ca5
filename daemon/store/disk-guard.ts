// Disk nearly full: below log.min_free on the database's file system, new request-log rows are
// stored without bodies (the smallest rows that still carry tokens, cost and attempts), an alert
// goes out, and /health says degraded, until the space is back. Route never stops proxying for it.
// SQLite only: a Postgres server's disk cannot be seen from here (log.max_size bounds it instead).
import { statfsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { diskLow, type RetentionSettings } from "./retention-settings.ts";

export type FreeSpace = () => { total: number; free: number };

/** The file system holding `file`: its size and the bytes an unprivileged process may still use. */
export function statfsSpace(file: string): FreeSpace {
  const dir = dirname(resolve(file));
  return () => {
    const s = statfsSync(dir);
    return { total: s.blocks * s.bsize, free: s.bavail * s.bsize };
  };
}

export interface DiskState {
  low: boolean;
  since: number;
  total: number;
  free: number;
}

export interface DiskGuardOptions {
  space: FreeSpace;
  settings: () => RetentionSettings;
  now?: () => number;
  checkMs?: number;
  /** The state changed (low, or back to enough): the daemon alerts and logs. */
  onChange?: (s: DiskState) => void;
}

export function createDiskGuard(o: DiskGuardOptions) {
  const now = o.now ?? Date.now;
  let state: DiskState = { low: false, since: now(), total: 0, free: 0 };
  let timer: ReturnType<typeof setInterval> | null = null;
  let omitted = 0;

  function check(): DiskState {
    let space: { total: number; free: number };
    try {
      space = o.space();
    } catch {
      return state; // a failing statfs changes nothing: bodies are kept as before
    }
    const low = diskLow(o.settings(), space);
    const changed = low !== state.low;
    state = { low, since: changed ? now() : state.since, ...space };
    if (changed) o.onChange?.(state);
    return state;
  }

  check();
  return {
    check,
    /** Read per row by the log writer: a field, no system call. */
    get low() {
      return state.low;
    },
    state: () => state,
    /** Rows stored without bodies because the disk was low (since start). */
    get omitted() {
      return omitted;
    },
    countOmitted(): void {
      omitted++;
    },
    start(): void {
      timer = setInterval(check, o.checkMs ?? 10_000);
      timer.unref();
    },
    stop(): void {
      if (timer) clearInterval(timer);
      timer = null;
    },
  };
}

export type DiskGuard = ReturnType<typeof createDiskGuard>;
