// Request-log rows leave the response path here: the proxy enqueues a cheap record and returns;
// rows are built (body decoded, reply parsed) and written in batched transactions on a timer.
// A failing store keeps rows in a bounded queue and retries; what overflows is counted, not hidden.
import type { LogRow, Store } from "./types.ts";

export interface LogWriterOptions<T> {
  store: Store;
  toRow: (item: T) => LogRow;
  flushMs?: number;
  batchSize?: number;
  maxQueue?: number;
  onWritten?: (rows: LogRow[]) => void;
  onError?: (err: unknown, queued: number) => void;
  onDrop?: () => void;
  onQueue?: (length: number) => void;
}

export function createLogWriter<T>(opts: LogWriterOptions<T>) {
  const flushMs = opts.flushMs ?? 100;
  const batchSize = opts.batchSize ?? 1000;
  const maxQueue = opts.maxQueue ?? 100_000;
  let pending: T[] = []; // enqueued, not yet built
  let ready: LogRow[] = []; // built, waiting for a successful write (kept across failures)
  let timer: ReturnType<typeof setTimeout> | null = null;
  let flushing: Promise<void> | null = null;
  let failures = 0;
  let healthy = true;

  const queued = () => pending.length + ready.length;

  function schedule(ms: number) {
    if (timer === null) timer = setTimeout(() => void flush(), ms);
  }

  async function writeOnce(): Promise<void> {
    timer = null;
    if (pending.length > 0) {
      const items = pending;
      pending = [];
      for (const item of items) {
        try {
          ready.push(opts.toRow(item));
        } catch (err) {
          opts.onError?.(err, queued());
        }
      }
    }
    while (ready.length > 0) {
      const batch = ready.slice(0, batchSize);
      try {
        await opts.store.insertLogs(batch);
      } catch (err) {
        failures++;
        healthy = false;
        opts.onError?.(err, queued());
        schedule(Math.min(5000, flushMs * 2 ** Math.min(failures, 6))); // back off while the store is down
        return;
      }
      failures = 0;
      healthy = true;
      ready = ready.slice(batch.length);
      opts.onWritten?.(batch);
    }
    opts.onQueue?.(queued());
  }

  function flush(): Promise<void> {
    if (!flushing) flushing = writeOnce().finally(() => (flushing = null));
    return flushing;
  }

  return {
    enqueue(item: T): void {
      if (queued() >= maxQueue) {
        opts.onDrop?.();
        return;
      }
      pending.push(item);
      if (pending.length >= batchSize) {
        if (timer !== null) clearTimeout(timer);
        timer = null;
        schedule(0);
      } else schedule(flushMs);
    },
    flush,
    get queued() {
      return queued();
    },
    /** False after a failed write, until a write succeeds. */
    get healthy() {
      return healthy;
    },
    /** Writes everything queued; gives up after `attempts` failed writes (the rows are reported lost). */
    async drain(attempts = 5): Promise<number> {
      if (timer !== null) clearTimeout(timer);
      timer = null;
      for (let i = 0; i < attempts && queued() > 0; i++) {
        await flushing;
        await flush();
        if (timer !== null) clearTimeout(timer);
        timer = null;
      }
      return queued();
    },
  };
}

export type LogWriter<T> = ReturnType<typeof createLogWriter<T>>;
