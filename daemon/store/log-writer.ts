// Request-log rows leave the response path here: the proxy enqueues a cheap record and returns;
// rows are built (body decoded, reply parsed) and written in batched transactions on a timer.
// A flush works one batch at a time and yields to the event loop between batches, so however large
// the backlog, a response never waits behind more than one batch (~1 ms) of log work.
// A failing store keeps rows in a bounded queue and retries; what overflows is counted, not hidden.
// The queue is bounded in bytes: past `maxQueueBytes` a new row keeps its metadata and its bodies
// are released at once (written as bodiesDropped); whole rows are dropped only past `maxQueue`.
import { redactText } from "../proxy/redact.ts";
import type { LogRow, Store } from "./types.ts";

export const DEFAULT_LOG_QUEUE_BYTES = 64 << 20;
export const DEFAULT_LOG_QUEUE_ROWS = 100_000;
const ERROR_TEXT_CAP = 300;

/** What /health and daemon.status show of the store. */
export interface LogStoreState {
  state: "healthy" | "failing";
  /** When the store entered this state (the writer's start, a failed write, a recovery). */
  since: number;
  queuedRows: number;
  queuedBytes: number;
  /** The last failed write's message (a database error, never row content); null once healthy. */
  lastError: string | null;
}

export interface LogWriterOptions<T> {
  store: Store;
  toRow: (item: T) => LogRow;
  flushMs?: number;
  /** Rows built and written per transaction, between two turns of the event loop. */
  batchSize?: number;
  /** Hard cap on queued rows (whole rows dropped past it); large, as rows without bodies are small. */
  maxQueue?: number;
  /** Body bytes the queue may hold; past it new rows lose their bodies. */
  maxQueueBytes?: number;
  /** Bytes an item holds: lengths only, nothing parsed (runs on the response path). */
  sizeOf?: (item: T) => number;
  /** Releases an item's bodies now; its row must come out with bodiesDropped. */
  dropBodies?: (item: T) => void;
  now?: () => number;
  onWritten?: (rows: LogRow[]) => void;
  onError?: (err: unknown, queued: number) => void;
  /** A write succeeded after failed ones. */
  onRecovered?: () => void;
  /** A row dropped whole (queue full), or whose row could not be built. */
  onDrop?: (item: T) => void;
  onBodiesDropped?: () => void;
}

// A driver error names the failure, not row content; key-like text is masked all the same.
const messageOf = (err: unknown) => redactText(err instanceof Error ? err.message : String(err), "").slice(0, ERROR_TEXT_CAP);

export function createLogWriter<T>(opts: LogWriterOptions<T>) {
  const flushMs = opts.flushMs ?? 100;
  const batchSize = opts.batchSize ?? 256;
  const maxQueue = opts.maxQueue ?? DEFAULT_LOG_QUEUE_ROWS;
  const maxBytes = opts.maxQueueBytes ?? DEFAULT_LOG_QUEUE_BYTES;
  const sizeOf = opts.sizeOf ?? (() => 0);
  const now = opts.now ?? Date.now;
  let pending: (T | undefined)[] = []; // enqueued; those before `head` are built already
  let pendingSizes: number[] = [];
  let head = 0;
  let ready: LogRow[] = []; // built, waiting for a successful write (kept across failures)
  let readySizes: number[] = [];
  let bytes = 0; // held by pending and ready rows, as counted at enqueue
  let timer: ReturnType<typeof setTimeout> | null = null;
  let flushing: Promise<void> | null = null;
  let failures = 0;
  let healthy = true;
  let since = now();
  let lastError: string | null = null;

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
      const size = pendingSizes[head]!;
      try {
        ready.push(opts.toRow(pending[head]!));
        readySizes.push(size);
      } catch (err) {
        bytes -= size;
        opts.onError?.(err, queued());
        opts.onDrop?.(pending[head]!);
      }
      pending[head] = undefined; // built: the request's context can be collected
    }
    if (head === pending.length) {
      pending = [];
      pendingSizes = [];
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
        if (healthy) since = now();
        healthy = false;
        lastError = messageOf(err);
        opts.onError?.(err, queued());
        schedule(Math.min(5000, flushMs * 2 ** Math.min(failures, 6))); // back off while the store is down
        return;
      }
      failures = 0;
      for (let i = 0; i < batch.length; i++) bytes -= readySizes[i]!;
      ready = batch === ready ? [] : ready.slice(batch.length);
      readySizes = ready.length === 0 ? [] : readySizes.slice(batch.length);
      if (!healthy) {
        healthy = true;
        since = now();
        lastError = null;
        opts.onRecovered?.();
      }
      opts.onWritten?.(batch);
    }
  }

  function flush(): Promise<void> {
    if (!flushing) flushing = writeOnce().finally(() => (flushing = null));
    return flushing;
  }

  return {
    enqueue(item: T): void {
      if (queued() >= maxQueue) {
        opts.onDrop?.(item);
        return;
      }
      let size = sizeOf(item);
      // One row's bodies are always admitted into an empty queue: the bound is for backlogs.
      if (size > 0 && bytes + size > maxBytes && queued() > 0) {
        opts.dropBodies?.(item);
        opts.onBodiesDropped?.();
        size = 0;
      }
      pending.push(item);
      pendingSizes.push(size);
      bytes += size;
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
    get queuedBytes() {
      return bytes;
    },
    state(): LogStoreState {
      return { state: healthy ? "healthy" : "failing", since, queuedRows: queued(), queuedBytes: bytes, lastError };
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
