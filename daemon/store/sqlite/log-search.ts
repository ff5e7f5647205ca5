// Full-text search over request_logs (request_body, reply_text): an FTS5 index as an external-content
// table (it stores only the index; the text stays in request_logs), kept right by triggers on insert,
// on an UPDATE of either body (retention clears bodies that way) and on delete. drizzle-kit cannot
// express FTS5, so this DDL is applied after its migrations, on every open: it is idempotent, and an
// index built with another definition (an older tokenizer) is dropped and rebuilt from the table.
//
// Tokenizer: unicode61 (words, case- and diacritic-folded), detail=none (rowids only: no phrase or
// column queries, so a search is words that must all occur) and no per-row sizes (nothing is ranked).
// Measured on bench rows (daemon/bench/results.md, "Log search"): trigram's index was 6x unicode61's
// and its inserts 2-3x slower; detail=none's index is 3.4x smaller than detail=full's at the same
// insert cost. CJK text has no spaces, so unicode61 indexes a run of CJK characters as one token: a
// CJK search matches a whole run (up to punctuation or a space), not a word inside it.
//
// Only the request's last 4 KiB (its newest messages: a chat request carries the whole history) and
// the reply's first 16 KiB are indexed: indexing costs ~80 µs of CPU per KB-sized row
// (daemon/bench/fts-cost.ts), so a row's cost must not grow with a 100 KB history. The index reads
// its text through a view with the same caps (`rebuild` and the triggers' 'delete' must see exactly
// the text that was indexed).
//
// The index is keyed by request_logs' implicit rowid. VACUUM may renumber the rowids of a table
// without an INTEGER PRIMARY KEY, so whoever runs VACUUM must run rebuildLogSearch() after it.
import type { Database } from "bun:sqlite";
import { searchWords } from "../log-filter.ts";

export const FTS_TABLE = "request_logs_fts";
const FTS_SOURCE = "request_logs_fts_src";
/** The indexed text of a row: the request's tail, the reply's head (characters). */
export const REQUEST_TAIL = 4096;
export const REPLY_HEAD = 16384;
const req = (row: string) => `substr(${row}request_body, -${REQUEST_TAIL})`;
const rep = (row: string) => `substr(${row}reply_text, 1, ${REPLY_HEAD})`;
const SOURCE_VIEW = `CREATE VIEW IF NOT EXISTS ${FTS_SOURCE} AS SELECT rowid AS rid, ${req("")} AS request_body, ${rep("")} AS reply_text FROM request_logs`;
export const DEFAULT_TOKENIZER = "unicode61 remove_diacritics 2";

const createTable = (tokenizer: string) =>
  `CREATE VIRTUAL TABLE ${FTS_TABLE} USING fts5(request_body, reply_text, content='${FTS_SOURCE}', content_rowid='rid', tokenize='${tokenizer}', detail=none, columnsize=0)`;

// 'delete' must be given the values the row was indexed with: the old ones, from the trigger.
const TRIGGERS = [
  `CREATE TRIGGER IF NOT EXISTS request_logs_fts_insert AFTER INSERT ON request_logs BEGIN
     INSERT INTO ${FTS_TABLE}(rowid, request_body, reply_text) VALUES (new.rowid, ${req("new.")}, ${rep("new.")});
   END`,
  `CREATE TRIGGER IF NOT EXISTS request_logs_fts_delete AFTER DELETE ON request_logs BEGIN
     INSERT INTO ${FTS_TABLE}(${FTS_TABLE}, rowid, request_body, reply_text) VALUES ('delete', old.rowid, ${req("old.")}, ${rep("old.")});
   END`,
  `CREATE TRIGGER IF NOT EXISTS request_logs_fts_update AFTER UPDATE OF request_body, reply_text ON request_logs BEGIN
     INSERT INTO ${FTS_TABLE}(${FTS_TABLE}, rowid, request_body, reply_text) VALUES ('delete', old.rowid, ${req("old.")}, ${rep("old.")});
     INSERT INTO ${FTS_TABLE}(rowid, request_body, reply_text) VALUES (new.rowid, ${req("new.")}, ${rep("new.")});
   END`,
];
const TRIGGER_NAMES = ["request_logs_fts_insert", "request_logs_fts_delete", "request_logs_fts_update"];

/** Creates the index and its triggers if missing (building it from the rows already there). */
export function applyLogSearch(sqlite: Database, tokenizer = DEFAULT_TOKENIZER): void {
  const want = createTable(tokenizer);
  const have = sqlite.query<{ sql: string }, [string]>("SELECT sql FROM sqlite_master WHERE name = ?").get(FTS_TABLE)?.sql;
  const triggers = sqlite.query<{ sql: string }, []>(`SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE '${FTS_TABLE}_%' ORDER BY name`).all().map((r) => r.sql);
  const wantTriggers = [...TRIGGERS].sort((a, b) => a.localeCompare(b));
  const sameTriggers = triggers.length === 0 || triggers.every((t, i) => t.replace("IF NOT EXISTS ", "") === wantTriggers[i]!.replace("IF NOT EXISTS ", ""));
  if (have === want && sameTriggers) {
    sqlite.exec(SOURCE_VIEW);
    for (const t of TRIGGERS) sqlite.exec(t); // a trigger dropped by hand comes back; the rest is a no-op
    return;
  }
  sqlite.transaction(() => {
    for (const name of TRIGGER_NAMES) sqlite.exec(`DROP TRIGGER IF EXISTS ${name}`);
    if (have !== undefined) sqlite.exec(`DROP TABLE ${FTS_TABLE}`);
    sqlite.exec(`DROP VIEW IF EXISTS ${FTS_SOURCE}`);
    sqlite.exec(SOURCE_VIEW);
    sqlite.exec(want);
    for (const t of TRIGGERS) sqlite.exec(t);
    rebuildLogSearch(sqlite); // existing rows: one pass over the table
  })();
}

/** Re-reads every row into the index (after a VACUUM, or if it is ever suspected wrong). */
export function rebuildLogSearch(sqlite: Database): void {
  sqlite.exec(`INSERT INTO ${FTS_TABLE}(${FTS_TABLE}) VALUES ('rebuild')`);
}

/** The words as an FTS5 query, every one required (each quoted: FTS5 syntax in the text is literal). null: no word. */
export function ftsQuery(text: string): string | null {
  const words = searchWords(text);
  return words.length ? words.map((w) => `"${w}"`).join(" AND ") : null;
}
