// The crash journal: a node killed outright (kill -9, OOM, power to the process) loses the rows its
// log writer still held in memory — up to a flush interval of requests its clients saw answered.
// So, with a remote store, each finished request's receipt (its row without bodies or tokens: what
// is known without parsing anything) is appended here with one write(2) before the client gets the
// end of its answer; a killed process's writes are in the kernel's page cache, so they survive it.
// At the next start the receipts are inserted (the store ignores ids it already has, so a request
// whose full row made it keeps that row) and the journal is emptied.
//
// The journal stays small: files rotate every ROTATE_BYTES and a file is deleted once the writer has
// moved every row up to its last receipt out of memory (written, spooled or dropped). The writer is
// FIFO, so "the first N enqueued rows are out" is one number (`settled`).
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeSync } from "node:fs";
import { join } from "node:path";
import type { LogRow } from "./types.ts";

const ROTATE_BYTES = 4 << 20;
const PREFIX = "crash-journal-";

interface Segment {
  path: string;
  lastSeq: number; // receipts recorded up to (exclusive) this sequence number
}

export interface CrashJournal {
  /** Appends one receipt; synchronous by design (see above). */
  record(row: LogRow): void;
  /** The writer has moved its first `settled` rows out of memory: drop segments wholly before it. */
  settle(settled: number): void;
  close(): void;
}

const segmentsIn = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.startsWith(PREFIX))
    .sort((a, b) => Number(a.slice(PREFIX.length).split(".")[0]) - Number(b.slice(PREFIX.length).split(".")[0]))
    .map((f) => join(dir, f));

/** Receipts left by a previous run (oldest first; a torn last line is skipped), and their files. */
export function readCrashJournal(dir: string): { rows: LogRow[]; files: string[] } {
  if (!existsSync(dir)) return { rows: [], files: [] };
  const files = segmentsIn(dir);
  const rows: LogRow[] = [];
  for (const f of files) {
    for (const line of readFileSync(f, "utf8").split("\n")) {
      if (line === "") continue;
      try {
        rows.push(JSON.parse(line) as LogRow);
      } catch {
        // the line being written when the process died
      }
    }
  }
  return { rows, files };
}

export function removeCrashJournal(files: string[]): void {
  for (const f of files) rmSync(f, { force: true });
}

/** Opens a new journal in `dir` (owner-only). Call after the previous run's receipts are replayed. */
export function openCrashJournal(dir: string): CrashJournal {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  let n = segmentsIn(dir).length; // numbering continues past leftovers not removed yet
  let seq = 0; // receipts recorded so far
  let fd = -1;
  let path = "";
  let size = 0;
  const closed: Segment[] = [];
  const openNext = () => {
    path = join(dir, `${PREFIX}${n++}.jsonl`);
    fd = openSync(path, "a", 0o600);
    size = existsSync(path) ? statSync(path).size : 0;
  };
  openNext();
  return {
    record(row) {
      const line = JSON.stringify(row) + "\n";
      size += writeSync(fd, line);
      seq++;
      if (size >= ROTATE_BYTES) {
        closeSync(fd);
        closed.push({ path, lastSeq: seq });
        openNext();
      }
    },
    settle(settled) {
      while (closed.length > 0 && closed[0]!.lastSeq <= settled) rmSync(closed.shift()!.path, { force: true });
    },
    close() {
      closeSync(fd);
    },
  };
}

/** What the daemon holds: the open journal, fed by enqueueLog and trimmed as the writer settles. */
export interface JournalHandle {
  record(row: LogRow): void;
  settle(settled: number): void;
  /** A clean stop: every row is in the store or the spool, so the journal is removed. */
  closeClean(): void;
  /** A stop with rows still in memory (no spool took them): kept for the next start. */
  closeKeep(): void;
}

/**
 * Moves what a killed predecessor left into the spool (full rows already there come first, so a
 * receipt never shadows its full row: the store keeps the first row of an id), then opens a fresh
 * journal in `dir`.
 */
export async function startCrashJournal(dir: string, spool: { append(rows: LogRow[]): Promise<unknown> }): Promise<{ journal: JournalHandle; recovered: number }> {
  const left = readCrashJournal(dir);
  if (left.rows.length > 0) await spool.append(left.rows);
  removeCrashJournal(left.files);
  const j = openCrashJournal(dir);
  return {
    recovered: left.rows.length,
    journal: {
      record: (row) => j.record(row),
      settle: (n) => j.settle(n),
      closeClean() {
        j.close();
        if (existsSync(dir)) removeCrashJournal(segmentsIn(dir));
      },
      closeKeep: () => j.close(),
    },
  };
}
