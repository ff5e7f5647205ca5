// Request-log rows leave the response path here: the proxy enqueues a cheap record and returns;
// rows are built (body decoded, reply parsed) and written in batched transactions on a timer.
// A flush works one batch at a time and yields to the event loop between batches, so however large
// the backlog, a response never waits behind more than one batch (~1 ms) of log work.
// A failing store keeps rows in a bounded queue and retries; what overflows is counted, not hidden.
// The queue is bounded in bytes: past `maxQueueBytes` a new row keeps its metadata and its bodies
// are released at once (written as bodiesDropped); whole rows are dropped only past `maxQueue`.
// With a spool (log-spool.ts), a failing store's backlog past half those bounds moves to disk
// instead, and the spool is replayed first, in order, when the store answers again.
import { withDeadline } from "../deadline.ts";
import { redactText } from "../proxy/redact.ts";
import type { LogSpool } from "./log-spool.ts";
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
  /** Rows in the spool file waiting to be replayed, and its size. */
  spooledRows: number;
  spooledBytes: number;
}

export interface LogWriterOptions<T> {
  store: Store;
  toRow: (item: T) => LogRow;
  flushMs?: number;
  /**
   * A write that has not answered by then counts as failed (a partitioned network can hold a
   * connection silent for minutes). If it commits after all, its rows are written again later and
   * skipped then: the store ignores ids it has.
   */
  insertTimeoutMs?: number;
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
  /** Where a failing store's backlog goes past the memory bounds; null: nowhere (rows wait in memory). */
  spool?: LogSpool | null;
  /** Rows were spooled for the first time since the spool was last empty (an alert). */
  onSpooling?: (rows: number, bytes: number) => void;
  /** The spool was replayed to its end (an alert). */
  onSpoolReplayed?: (rows: number) => void;
  /** Rows the spool could not take (its byte bound) or could not read back. */
  onRowsLost?: (n: number) => void;
}


// A driver error names the failure, not row content; key-like text is masked all the same.
const messageOf = (err: unknown) => redactText(err instanceof Error ? err.message : String(err), "").slice(0, ERROR_TEXT_CAP);

export function createLogWriter<T>(opts: LogWriterOptions<T>) {
  const flushMs = opts.flushMs ?? 100;
  const insertTimeoutMs = opts.insertTimeoutMs ?? 5000;
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
  const spool = opts.spool ?? null;
  let replayed = 0; // rows replayed from the spool since it was last empty
  let spillSoon = false;
  let calls = 0; // enqueue() calls, accepted or not

  const queued = () => pending.length - head + ready.length;
  const nextTurn = () => new Promise<void>((r) => setImmediate(r));

  function schedule(ms: number) {
    if (timer !== null) return;
    timer = setTimeout(() => {
      timer = null;
      void flush();
    }, ms);
  }

  /** Builds rows from pending items until one batch is ready (or `upTo` rows, or nothing is pending). */
  function build(upTo = batchSize): void {
    const end = Math.min(pending.length, head + Math.max(0, upTo - ready.length));
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

  /** Past half the memory bounds, while the store fails: the backlog should move to the spool. */
  const overSpillMark = () => spool !== null && !healthy && (bytes > maxBytes / 2 || queued() >= maxQueue / 2);

  /** Moves every queued row, oldest first, to the end of the spool (older than anything in memory after). */
  async function spill(): Promise<void> {
    spillSoon = false;
    if (!spool || queued() === 0) return;
    const wasEmpty = spool.rows === 0;
    // A batch at a time, yielding between: building rows (bodies decoded, replies parsed) and their
    // JSON for a backlog of 50,000 in one turn would hold every response behind it.
    for (let left = queued(); left > 0 && queued() > 0; ) {
      build(batchSize);
      const n = Math.min(ready.length, batchSize);
      const rows = ready.slice(0, n);
      let held = 0;
      for (let i = 0; i < n; i++) held += readySizes[i]!;
      try {
        const r = await spool.append(rows);
        for (let i = 0; i < r.bodiesDropped; i++) opts.onBodiesDropped?.();
        if (r.rowsDropped > 0) opts.onRowsLost?.(r.rowsDropped);
      } catch (err) {
        opts.onError?.(err, queued()); // the disk failed too: the rows stay in memory, under its bounds
        break;
      }
      ready = ready.slice(n);
      readySizes = readySizes.slice(n);
      bytes -= held;
      left -= n;
      if (left > 0) await nextTurn();
    }
    if (wasEmpty && spool.rows > 0) opts.onSpooling?.(spool.rows, spool.bytes);
  }

  /** The next batch: the spool's front first (older than every row in memory), else built rows. */
  async function nextBatch(): Promise<{ batch: LogRow[]; spooled: boolean }> {
    if (spool && spool.rows > 0) {
      const batch = await spool.peek(batchSize);
      if (batch.length < spool.peekedRows) opts.onRowsLost?.(spool.peekedRows - batch.length);
      return { batch, spooled: true };
    }
    build();
    return { batch: ready.length <= batchSize ? ready : ready.slice(0, batchSize), spooled: false };
  }

  async function writeOnce(): Promise<void> {
    if (spillSoon) await spill();
    for (let first = true; queued() > 0 || (spool?.rows ?? 0) > 0; first = false) {
      if (!first) await nextTurn(); // let waiting responses run between batches
      const { batch, spooled } = await nextBatch();
      if (batch.length === 0 && !spooled) continue;
      try {
        if (batch.length > 0) await withDeadline(opts.store.insertLogs(batch), insertTimeoutMs, `the store did not answer within ${insertTimeoutMs} ms`);
      } catch (err) {
        failures++;
        if (healthy) since = now();
        healthy = false;
        lastError = messageOf(err);
        opts.onError?.(err, queued());
        if (overSpillMark()) await spill();
        schedule(Math.min(5000, flushMs * 2 ** Math.min(failures, 6))); // back off while the store is down
        return;
      }
      failures = 0;
      if (spooled) {
        await spool!.commit();
        replayed += batch.length;
        if (spool!.rows === 0) opts.onSpoolReplayed?.(replayed), (replayed = 0);
      } else {
        for (let i = 0; i < batch.length; i++) bytes -= readySizes[i]!;
        ready = batch === ready ? [] : ready.slice(batch.length);
        readySizes = ready.length === 0 ? [] : readySizes.slice(batch.length);
      }
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

  if (spool && spool.rows > 0) schedule(0); // a spool left by the last run is replayed first

  return {
    enqueue(item: T): void {
      calls++;
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
      if (!spillSoon && overSpillMark()) {
        // Off the response path: the next flush turn moves the backlog to disk before retrying.
        spillSoon = true;
        if (timer !== null) clearTimeout(timer);
        timer = null;
        schedule(0);
      } else if (healthy && pending.length - head >= batchSize) {
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
    /**
     * How many of the items enqueued so far are out of memory (written, spooled or dropped). Rows
     * leave in order, so these are the first ones (the crash journal drops its receipts up to here).
     */
    get settled() {
      return calls - queued();
    },
    state(): LogStoreState {
      return { state: healthy ? "healthy" : "failing", since, queuedRows: queued(), queuedBytes: bytes, lastError, spooledRows: spool?.rows ?? 0, spooledBytes: spool?.bytes ?? 0 };
    },
    /** False after a failed write, until a write succeeds. */
    get healthy() {
      return healthy;
    },
    /**
     * Writes everything queued; after `attempts` failed writes what is left goes to the spool (kept
     * for the next start), else it is reported lost.
     */
    async drain(attempts = 5): Promise<number> {
      if (timer !== null) clearTimeout(timer);
      timer = null;
      for (let i = 0; i < attempts && (queued() > 0 || (spool?.rows ?? 0) > 0); i++) {
        await flushing;
        await flush();
        if (timer !== null) clearTimeout(timer);
        timer = null;
        if (!healthy && spool) break; // the spool keeps it: no need to hold the stop for retries
      }
      await flushing;
      if (queued() > 0 && spool) await spill();
      return queued();
    },
  };
}

export type LogWriter<T> = ReturnType<typeof createLogWriter<T>>;
