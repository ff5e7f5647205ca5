// The FTS5 DDL outside drizzle's migrations: re-applied on every open without harm, building the
// index for rows written before it existed, rebuilding it when its definition changes, and staying
// consistent with the table (FTS5's own integrity check) through inserts, updates and deletes.
import { Database } from "bun:sqlite";
import { describe, expect, test } from "bun:test";
import { drizzle } from "drizzle-orm/bun-sqlite";
import { getTableColumns } from "drizzle-orm";
import { LOG_COLUMNS, logBinder } from "../log-columns.ts";
import { SEARCH_ROWS } from "../search.test-suite.ts";
import { applyLogSearch, FTS_TABLE, ftsQuery, REPLY_HEAD, REQUEST_TAIL } from "./log-search.ts";
import { migrateEmbedded } from "./migrate.ts";
import * as schema from "./schema.ts";

function migrated(): Database {
  const db = new Database(":memory:", { strict: true });
  migrateEmbedded(drizzle({ client: db }));
  return db;
}
function insertRows(db: Database) {
  const cols = getTableColumns(schema.requestLogs);
  const names = LOG_COLUMNS.map((k) => `"${cols[k].name}"`);
  const stmt = db.prepare(`INSERT INTO request_logs (${names.join(", ")}) VALUES (${names.map(() => "?").join(", ")})`);
  const bind = logBinder((b) => (b ? 1 : 0));
  for (const r of SEARCH_ROWS) stmt.run(...(bind(r) as never[]));
}
const found = (db: Database, words: string) =>
  db.query<{ id: string }, [string]>(`SELECT l.id FROM ${FTS_TABLE} f JOIN request_logs l ON l.rowid = f.rowid WHERE ${FTS_TABLE} MATCH ? ORDER BY l.id`).all(ftsQuery(words)!).map((r) => r.id.slice(5));
const integrity = (db: Database) => db.exec(`INSERT INTO ${FTS_TABLE}(${FTS_TABLE}, rank) VALUES ('integrity-check', 1)`);
const objects = (db: Database) => db.query("SELECT type, name FROM sqlite_master WHERE name LIKE 'request_logs_fts%' ORDER BY name").all();

describe("log search DDL (SQLite)", () => {
  test("rows written before the index existed are found once it is applied; applying again changes nothing", () => {
    const db = migrated();
    insertRows(db);
    applyLogSearch(db);
    expect(found(db, "museum")).toEqual(["00", "03", "05", "06"]);
    const before = objects(db);
    applyLogSearch(db);
    expect(objects(db)).toEqual(before);
    expect(found(db, "museum")).toEqual(["00", "03", "05", "06"]);
    integrity(db);
  });

  test("triggers keep it consistent through insert, UPDATE of a body, other updates and delete", () => {
    const db = migrated();
    applyLogSearch(db);
    insertRows(db);
    db.exec("UPDATE request_logs SET reply_text = NULL, request_body = NULL WHERE id = '0193-00'");
    db.exec("UPDATE request_logs SET reply_text = 'giraffe' WHERE id = '0193-03'");
    db.exec("UPDATE request_logs SET status = 500");
    db.exec("DELETE FROM request_logs WHERE id = '0193-05'");
    integrity(db);
    expect(found(db, "museum")).toEqual(["03", "06"]); // 03 still has it in its request
    expect(found(db, "giraffe")).toEqual(["03"]);
  });

  test("a different definition (another tokenizer) is dropped and rebuilt from the table", () => {
    const db = migrated();
    insertRows(db);
    applyLogSearch(db, "unicode61 remove_diacritics 0");
    expect(found(db, "cafe")).toEqual([]); // "café" is another word when diacritics are kept
    applyLogSearch(db);
    expect(found(db, "cafe")).toEqual(["06"]);
    integrity(db);
  });

  test("only the request's last 4 KiB and the reply's first 16 KiB are indexed (a long history costs no more), and the index stays consistent", () => {
    const db = migrated();
    applyLogSearch(db);
    const cols = getTableColumns(schema.requestLogs);
    const row = { ...SEARCH_ROWS[0]!, id: "0190-long", requestBody: `oldword ${"x ".repeat(REQUEST_TAIL)} newword`, replyText: `firstword ${"y ".repeat(REPLY_HEAD)} lastword` };
    const names = LOG_COLUMNS.map((k) => `"${cols[k].name}"`);
    db.prepare(`INSERT INTO request_logs (${names.join(", ")}) VALUES (${names.map(() => "?").join(", ")})`).run(...(logBinder((b) => (b ? 1 : 0))(row) as never[]));
    expect(found(db, "newword")).toEqual(["long"]);
    expect(found(db, "firstword")).toEqual(["long"]);
    expect(found(db, "oldword")).toEqual([]);
    expect(found(db, "lastword")).toEqual([]);
    integrity(db);
    db.exec("UPDATE request_logs SET request_body = NULL, reply_text = NULL WHERE id = '0190-long'");
    integrity(db);
    expect(found(db, "newword")).toEqual([]);
    db.exec("DELETE FROM request_logs");
    integrity(db);
  });
});
