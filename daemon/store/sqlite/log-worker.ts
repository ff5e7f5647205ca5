// Request-log inserts on their own thread. A worker owns a second connection to the database file
// (WAL: it writes while the main connection reads and writes upstreams), so the event loop never
// waits on SQLite: a 256-row batch takes ~2 ms there, and a WAL checkpoint inside a commit 15–30 ms.
// The periodic limit-counter writes go the same way, so the event loop never waits for the log
// thread's write lock either (bun:sqlite's busy wait would block it).
// Rows cross as one JSON string of arrays of already-bound values, in the prepared INSERT's column order,
// with their rollup contributions (../rollup.ts): the rows the INSERT really writes are folded into
// log_rollup in the same transaction, by foldBatch's own source text run here.
import { FOLD_LAYOUT, foldBatch, KEY_COLUMNS, mergingUpsert } from "../rollup.ts";

/** One SQL statement with its bound values, as drizzle's toSQL() gives them. */
export type Statement = { sql: string; params: unknown[] };
/** The prepared statements of the log thread: the row insert, and the rollup's read and upsert. */
export type LogSql = { insert: string; rollup: { select: string; upsert: string } };

export interface LogWorker {
  /** `batch`: JSON of {rows, keys, contrib}: rows as arrays in the prepared INSERT's column order, and their RollupBatch. */
  insert(batch: string): Promise<void>;
  /** Other writes (limit counters, retention), in one transaction on the same thread as the log; rows changed by each. */
  run(statements: Statement[]): Promise<number[]>;
  /** One statement outside a transaction (PRAGMA incremental_vacuum, wal_checkpoint) on the log thread. */
  exec(sql: string): Promise<void>;
  /** Finishes the inserts sent so far, then closes the worker's connection and the thread. */
  close(): Promise<void>;
}

type Reply = { id: number; error?: string; result?: number[] };

// The worker's whole program, as source text run from a Blob URL: the same from a source checkout
// and from the single-file executable, and out of the bundler's reach (it rewrites `require`).
const WORKER_SOURCE = `
const { Database } = require("bun:sqlite");
const foldBatch = ${foldBatch.toString()};
const mergingUpsert = ${mergingUpsert.toString()};
const [COUNTERS, BUCKETS, KEYS] = ${JSON.stringify([...FOLD_LAYOUT, KEY_COLUMNS])};
let db, insertMany, runAll;
onmessage = (e) => {
  const m = e.data;
  try {
    if (m.open) {
      db = new Database(m.open.path, { strict: true });
      db.exec("PRAGMA busy_timeout = 5000");
      db.exec("PRAGMA synchronous = NORMAL");
      const stmt = db.prepare(m.open.sql);
      const stored = db.prepare(m.open.rollup.select);
      const write = db.prepare(m.open.rollup.upsert);
      const upsert = mergingUpsert((k) => stored.get(...k), (v) => write.run(...v), KEYS, COUNTERS);
      insertMany = db.transaction((b) => foldBatch(b.rows, b, (r) => stmt.run(...r).changes, upsert, COUNTERS, BUCKETS));
      runAll = db.transaction((list) => list.map((s) => db.query(s.sql).run(...s.params).changes));
    } else if (m.rows) insertMany(JSON.parse(m.rows));
    else if (m.statements) return postMessage({ id: m.id, result: runAll(m.statements) });
    else if (m.exec) db.exec(m.exec);
    else if (m.close) db?.close();
    postMessage({ id: m.id });
  } catch (err) {
    postMessage({ id: m.id, error: String(err?.message ?? err) });
  }
};`;

/**
 * Starts the log thread. If it cannot open the database, or dies, inserts go to `fallback` (the
 * calling thread) instead: the log must be written either way.
 */
export function startLogWorker(path: string, sql: LogSql, fallback: () => LogWorker): LogWorker {
  let local: LogWorker | null = null;
  const useLocal = () => (local ??= fallback());
  let worker: Worker;
  try {
    worker = new Worker(URL.createObjectURL(new Blob([WORKER_SOURCE], { type: "text/javascript" })));
  } catch {
    return useLocal();
  }
  worker.unref(); // an idle log thread must not keep the process alive; a busy one must (ref below)
  const waiting = new Map<number, { resolve: (r: number[]) => void; reject: (e: Error) => void }>();
  let next = 0;
  let dead = false;
  const settle = (id: number, error?: string, result: number[] = []) => {
    const w = waiting.get(id);
    waiting.delete(id);
    if (waiting.size === 0) worker.unref();
    if (error === undefined) w?.resolve(result);
    else w?.reject(new Error(error));
  };
  worker.onmessage = (e: MessageEvent<Reply>) => settle(e.data.id, e.data.error, e.data.result);
  worker.onerror = (e) => {
    dead = true;
    for (const id of [...waiting.keys()]) settle(id, `request-log thread failed: ${e.message}`);
  };
  const send = (m: object) =>
    new Promise<number[]>((resolve, reject) => {
      if (dead) return reject(new Error("request-log thread is gone"));
      const id = next++;
      if (waiting.size === 0) worker.ref();
      waiting.set(id, { resolve, reject });
      worker.postMessage({ ...m, id });
    });
  const opened = send({ open: { path, sql: sql.insert, rollup: sql.rollup } }).then(
    () => true,
    () => false,
  );
  return {
    async insert(batch) {
      if (!(await opened) || dead) return useLocal().insert(batch);
      await send({ rows: batch }).then(() => {});
    },
    async run(statements) {
      if (!(await opened) || dead) return useLocal().run(statements);
      return send({ statements });
    },
    async exec(sql) {
      if (!(await opened) || dead) return useLocal().exec(sql);
      await send({ exec: sql });
    },
    async close() {
      if ((await opened) && !dead) await send({ close: true }).catch(() => {});
      worker.terminate();
    },
  };
}
