// Request-log rows leave the response path here: the proxy enqueues a cheap record and returns;
// rows are built (body decoded, reply parsed) and written in batched transactions on a timer.
// A flush works one batch at a time and yields to the event loop between batches, so however large
// the backlog, a response never waits behind more than one batch (~1 ms) of log work.
// A failing store keeps rows in a bounded queue and retries; what overflows is counted, not hidden.
import type { LogRow, Store } from "./types.ts";

export interface LogWriterOptions<T> {
  store: Store;
  toRow: (item: T) => LogRow;
  flushMs?: number;
  /** Rows built and written per transaction, between two turns of the event loop. */
  batchSize?: number;
  maxQueue?: number;
  onWritten?: (rows: LogRow[]) => void;
  onError?: (err: unknown, queued: number) => void;
  onDrop?: () => void;
  onQueue?: (length: number) => void;
}

export function createLogWriter<T>(opts: LogWriterOptions<T>) {
  const flushMs = opts.flushMs ?? 100;
  const batchSize = opts.batchSize ?? 256;
  const maxQueue = opts.maxQueue ?? 100_000;
  let pending: (T | undefined)[] = []; // enqueued; those before `head` are built already
  let head = 0;
  let ready: LogRow[] = []; // built, waiting for a successful write (kept across failures)
  let timer: ReturnType<typeof setTimeout> | null = null;
  let flushing: Promise<void> | null = null;
  let failures = 0;
  let healthy = true;

  const queued = () => pending.length - head + ready.length;
  const nextTurn = () => new Promise<void>((r) => setImmediate(r));

  function schedule(ms: number) {
    if (timer !== null) return;
    timer = setTimeout(() => {
      timer = null;
      void flush();
    }, ms);
  }

  /** Builds rows from pending items until one batch is ready (or nothing is pending). */
  function build(): void {
    const end = Math.min(pending.length, head + Math.max(0, batchSize - ready.length));
    for (; head < end; head++) {
      try {
        ready.push(opts.toRow(pending[head]!));
      } catch (err) {
        opts.onError?.(err, queued());
      }
      pending[head] = undefined; // built: the request's context can be collected
    }
    if (head === pending.length) {
      pending = [];
      head = 0;
    }
  }

  async function writeOnce(): Promise<void> {
    for (let first = true; queued() > 0; first = false) {
      if (!first) await nextTurn(); // let waiting responses run between batches
      build();
      if (ready.length === 0) continue;
      const batch = ready.length <= batchSize ? ready : ready.slice(0, batchSize);
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
      ready = batch === ready ? [] : ready.slice(batch.length);
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
      if (healthy && pending.length - head >= batchSize) {
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
