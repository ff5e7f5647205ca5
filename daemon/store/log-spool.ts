// Request-log rows the store could not take, on local disk until it can: JSON lines, one full row
// each, appended and fsync'd per batch to an owner-only file. Rows are replayed from the front in
// order; the committed position is kept in a side file (written by rename), so a restart resumes
// after the last batch the store accepted. A crash between a batch's commit and the position's
// write replays that batch once more: the store's insert ignores a row id it already has.
// The file has its own byte bound: past it rows are kept without bodies, then dropped (counted).
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, statSync, writeFileSync } from "node:fs";
import { chmod, open, readFile, rename, rm, truncate, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { LogRow } from "./types.ts";

export const DEFAULT_SPOOL_BYTES = 1 << 30;
const READ_CHUNK = 1 << 20;
const NL = 10;

export interface SpoolAppend {
  bodiesDropped: number;
  rowsDropped: number;
}

const withoutBodies = (r: LogRow): LogRow => ({ ...r, requestBody: null, replyText: null, toolCalls: null, bodiesDropped: true });

/** Newlines in the file from `from`, and the offset just past the last one (a torn last line is cut). */
function scan(path: string, from: number): { lines: number; end: number } {
  const fd = openSync(path, "r");
  const buf = Buffer.allocUnsafe(READ_CHUNK);
  let lines = 0;
  let end = from;
  try {
    for (let at = from; ; ) {
      const n = readSync(fd, buf, 0, READ_CHUNK, at);
      if (n === 0) break;
      for (let i = buf.indexOf(NL); i !== -1 && i < n; i = buf.indexOf(NL, i + 1)) {
        lines++;
        end = at + i + 1;
      }
      at += n;
    }
  } finally {
    closeSync(fd);
  }
  return { lines, end };
}

/** Is a process with this pid running (ours counts as not: several daemons in one test process)? */
function otherAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Two routed processes must not share a spool (or crash journal): each would replay and truncate
 * the other's rows. The directory holds the pid of the process using it; a dead one's is taken over.
 */
function claimDir(dir: string): void {
  const lock = join(dir, "routed.pid");
  const holder = existsSync(lock) ? Number(readFileSync(lock, "utf8").trim()) : 0;
  if (otherAlive(holder)) throw new Error(`another routed (pid ${holder}) uses ${dir}; give each node its own --spool-dir`);
  writeFileSync(lock, `${process.pid}\n`, { mode: 0o600 });
}

export async function openLogSpool(dir: string, maxBytes = DEFAULT_SPOOL_BYTES) {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  claimDir(dir);
  const file = join(dir, "request-log.spool");
  const posFile = `${file}.pos`;
  let pos = 0; // bytes of the file already in the store
  let size = 0;
  let rows = 0; // lines from pos on
  if (existsSync(file)) {
    pos = Number((await readFile(posFile, "utf8").catch(() => "0")).trim()) || 0;
    const found = scan(file, pos);
    if (found.end < statSync(file).size) await truncate(file, found.end); // a batch cut short by a crash: never fsync'd, never acknowledged
    size = found.end;
    rows = found.lines;
  }
  let peeked = { rows: 0, bytes: 0 };

  async function clear(): Promise<void> {
    await rm(file, { force: true });
    await rm(posFile, { force: true });
    pos = size = rows = 0;
  }

  return {
    file,
    get rows() {
      return rows;
    },
    get bytes() {
      return size;
    },
    /** Appends `batch` in order and fsyncs it; what the byte bound does not allow is counted. */
    async append(batch: LogRow[]): Promise<SpoolAppend> {
      const out = { bodiesDropped: 0, rowsDropped: 0 };
      const lines: string[] = [];
      let bytes = 0;
      for (const r of batch) {
        let line = `${JSON.stringify(r)}\n`;
        let n = Buffer.byteLength(line);
        if (size + bytes + n > maxBytes && !r.bodiesDropped) {
          line = `${JSON.stringify(withoutBodies(r))}\n`;
          n = Buffer.byteLength(line);
          out.bodiesDropped++;
        }
        if (size + bytes + n > maxBytes) {
          out.rowsDropped++;
          continue;
        }
        lines.push(line);
        bytes += n;
      }
      if (lines.length === 0) return out;
      const fresh = size === 0;
      const h = await open(file, "a", 0o600);
      try {
        await h.write(lines.join(""));
        await h.sync();
      } finally {
        await h.close();
      }
      if (fresh) await chmod(file, 0o600); // whatever the umask: rows hold prompts and replies
      size += bytes;
      rows += lines.length;
      return out;
    },
    /** The next rows in order (at most `n`), not yet removed: `commit` does that once the store has them. */
    async peek(n: number): Promise<LogRow[]> {
      const h = await open(file, "r");
      const out: LogRow[] = [];
      let bytes = 0;
      let lines = 0;
      try {
        let carry = Buffer.alloc(0);
        for (let at = pos; lines < n && at < size; ) {
          const chunk = Buffer.allocUnsafe(Math.min(READ_CHUNK, size - at));
          const { bytesRead } = await h.read(chunk, 0, chunk.length, at);
          if (bytesRead === 0) break;
          at += bytesRead;
          let buf = carry.length ? Buffer.concat([carry, chunk.subarray(0, bytesRead)]) : chunk.subarray(0, bytesRead);
          let start = 0;
          for (let i = buf.indexOf(NL); i !== -1 && lines < n; i = buf.indexOf(NL, start)) {
            const text = buf.toString("utf8", start, i);
            lines++;
            bytes += i + 1 - start;
            start = i + 1;
            try {
              out.push(JSON.parse(text) as LogRow);
            } catch {} // a damaged line cannot be written anywhere: skipped (counted by the caller as rows - out)
          }
          carry = Buffer.from(buf.subarray(start));
        }
      } finally {
        await h.close();
      }
      peeked = { rows: lines, bytes };
      return out;
    },
    /** How many lines the last peek consumed (damaged ones included). */
    get peekedRows() {
      return peeked.rows;
    },
    /** The peeked rows are in the store: past them for good (the file goes once all are). */
    async commit(): Promise<void> {
      pos += peeked.bytes;
      rows -= peeked.rows;
      peeked = { rows: 0, bytes: 0 };
      if (rows === 0) return clear();
      await writeFile(`${posFile}.tmp`, String(pos), { mode: 0o600 });
      await rename(`${posFile}.tmp`, posFile);
    },
  };
}

export type LogSpool = Awaited<ReturnType<typeof openLogSpool>>;
