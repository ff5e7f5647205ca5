// logs.query's full-text search and the filters beside it, as tests run on every backend
// (contract.test.ts): SQLite's FTS5 index and Postgres' tsvector must find the same rows, page the
// same way, and forget a row's words when its bodies are cleared (retention's UPDATE) or it is deleted.
import { describe, expect, test } from "bun:test";
import { logRow, storeOpener, type StoreFactory } from "./contract.test-suite.ts";
import type { LogQuery, LogRow, Store } from "./types.ts";

export interface SearchFactory extends StoreFactory {
  /** Runs SQL on the database of the store opened last (retention's statements, which the Store has no method for). */
  exec(statement: string): Promise<void>;
}

const row = (i: number, requestText: string, replyText: string | null, extra: Partial<LogRow> = {}): LogRow => ({
  ...logRow(`0193-${String(i).padStart(2, "0")}`, i),
  requestBody: JSON.stringify({ model: "gpt-4o", messages: [{ role: "user", content: requestText }] }),
  replyText, status: 200, errorCode: null, stream: false, totalMs: 100, upstreamName: "main", upstreamId: 1, keyName: "team", ...extra,
});

export const SEARCH_ROWS: LogRow[] = [
  row(0, "Where is the Kyoto museum?", "The museum is near the station."),
  row(1, "Translate: 数据库 很慢", "The database is slow.", { status: 502, errorCode: "upstream_timeout", totalMs: 3000, stream: true }),
  row(2, "Summarise the invoice", "Invoice total: 42 dollars, due Friday.", { upstreamName: "backup", upstreamId: 2 }),
  row(3, "Is the museum open?", "Yes, the MUSEUM opens at nine.", { stream: true, totalMs: 2500, keyName: "other" }),
  row(4, "what about \"quotes\" OR stars*", "Zebra crossing ahead.", { status: 429, errorCode: "rate_limited" }),
  row(5, "museum tickets", null),
  row(6, "unrelated words", "A reply about the museum café."),
];

export function searchContract(f: SearchFactory): void {
  const fresh = storeOpener(f);
  const filled = async () => {
    const s = await fresh();
    await s.insertLogs(SEARCH_ROWS);
    return s;
  };
  const ids = async (s: Store, q: Omit<LogQuery, "limit">, limit = 50) => (await s.queryLogs({ limit, ...q })).map((e) => Number(e.id.slice(5)));

  describe(`${f.name}: full-text search`, () => {
    test("finds a word in the request and in the reply, any case, newest first; every word required", async () => {
      const s = await filled();
      expect(await ids(s, { search: "museum" })).toEqual([6, 5, 3, 0]);
      expect(await ids(s, { search: "MUSEUM open" })).toEqual([3]); // "open?" in the request
      expect(await ids(s, { search: "invoice friday" })).toEqual([2]);
      expect(await ids(s, { search: "zebra" })).toEqual([4]);
      expect(await ids(s, { search: "数据库" })).toEqual([1]); // a CJK run between spaces is a word
      expect(await ids(s, { search: "museu" })).toEqual([]); // words, not substrings
      expect(await ids(s, { search: "museum nowhere" })).toEqual([]);
    });

    test("query syntax in the text is taken as words: quotes, OR, stars, punctuation alone", async () => {
      const s = await filled();
      expect(await ids(s, { search: '"quotes" OR stars*' })).toEqual([4]);
      expect(await ids(s, { search: 'museum OR "zebra"' })).toEqual([]); // OR is a word too, and row 4 has no "museum"
      expect(await ids(s, { search: "*** ?!" })).toEqual([]);
    });

    test("combined with the filters: status class, error code, upstream, key, stream, min latency, time", async () => {
      const s = await filled();
      expect(await ids(s, { search: "database", status: "5xx" })).toEqual([1]);
      expect(await ids(s, { search: "database", status: "2xx" })).toEqual([]);
      expect(await ids(s, { search: "the", errorCode: "upstream_timeout" })).toEqual([1]);
      expect(await ids(s, { search: "invoice", upstream: "backup" })).toEqual([2]);
      expect(await ids(s, { search: "museum", key: "other" })).toEqual([3]);
      expect(await ids(s, { search: "museum", stream: true })).toEqual([3]);
      expect(await ids(s, { search: "museum", stream: false })).toEqual([6, 5, 0]);
      expect(await ids(s, { search: "the", minLatencyMs: 2500 })).toEqual([3, 1]);
      expect(await ids(s, { search: "museum", since: SEARCH_ROWS[3]!.ts, until: SEARCH_ROWS[6]!.ts })).toEqual([5, 3]);
      expect(await ids(s, { minLatencyMs: 2500, stream: true })).toEqual([3, 1]); // the new filters without a search
    });

    test("pages with the cursor: each match once, in order, then an empty page", async () => {
      const s = await filled();
      const seen: number[] = [];
      let before: string | undefined;
      for (let page = 0; page < 5; page++) {
        const got = await s.queryLogs({ search: "museum", limit: 2, before });
        if (got.length === 0) break;
        seen.push(...got.map((e) => Number(e.id.slice(5))));
        before = got.at(-1)!.id;
      }
      expect(seen).toEqual([6, 5, 3, 0]);
    });

    test("forgets a row's words when its bodies are cleared by UPDATE, and when it is deleted", async () => {
      const s = await filled();
      await f.exec("UPDATE request_logs SET request_body = NULL, reply_text = NULL WHERE id = '0193-03'");
      expect(await ids(s, { search: "museum" })).toEqual([6, 5, 0]);
      await f.exec("UPDATE request_logs SET reply_text = 'now about giraffes' WHERE id = '0193-06'");
      expect(await ids(s, { search: "museum" })).toEqual([5, 0]);
      expect(await ids(s, { search: "giraffes" })).toEqual([6]);
      await f.exec("DELETE FROM request_logs WHERE id IN ('0193-00', '0193-06')");
      expect(await ids(s, { search: "museum" })).toEqual([5]);
      expect(await ids(s, { search: "giraffes" })).toEqual([]);
      await f.exec("UPDATE request_logs SET status = 500 WHERE id = '0193-05'"); // other columns: the index is untouched
      expect(await ids(s, { search: "museum", status: "5xx" })).toEqual([5]);
    });
  });
}
