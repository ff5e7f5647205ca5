// logs.query on Postgres: the shared filters (log-filter.ts), text matched with ILIKE (case-insensitive
// like SQLite's LIKE), full-text `search` on the GIN-indexed tsvector expression (schema-logs.ts),
// newest first by id, `id < before` as the cursor.
import { and, desc, like, lt, sql, type Column } from "drizzle-orm";
import type { PostgresJsDatabase } from "drizzle-orm/postgres-js";
import { idSuffix, logConditions, searchWords } from "../log-filter.ts";
import { LOG_SUMMARY_FIELDS, REPLY_PREVIEW_CHARS, type LogQuery, type LogSummary } from "../types.ts";
import { requestLogs as t, SEARCH_VECTOR } from "./schema-logs.ts";

const summaryColumns = {
  ...(Object.fromEntries(LOG_SUMMARY_FIELDS.map((k) => [k, t[k]])) as { [K in (typeof LOG_SUMMARY_FIELDS)[number]]: (typeof t)[K] }),
  replyPreview: sql<string | null>`substr(${t.replyText}, 1, ${REPLY_PREVIEW_CHARS})`,
};
const textMatch = (c: Column, p: string) => sql`${c} ilike ${p} escape '\\'`;

/** The words as a tsquery, all required; each quoted (only letters, marks and digits: nothing to escape). */
export const tsQuery = (text: string): string | null => {
  const words = searchWords(text);
  return words.length ? words.map((w) => `'${w}'`).join(" & ") : null;
};

export async function findLogIds(db: PostgresJsDatabase<any>, suffix: string, limit: number): Promise<string[]> {
  return (await db.select({ id: t.id }).from(t).where(like(t.id, idSuffix(suffix))).orderBy(desc(t.id)).limit(limit)).map((r) => r.id);
}

export async function queryLogs(db: PostgresJsDatabase<any>, q: LogQuery): Promise<LogSummary[]> {
  const where = logConditions(t, q, textMatch);
  if (q.before !== undefined) where.push(lt(t.id, q.before));
  if (q.search !== undefined) {
    const query = tsQuery(q.search);
    if (query === null) return [];
    where.push(sql`${sql.raw(SEARCH_VECTOR)} @@ to_tsquery('simple', ${query})`);
  }
  return db.select(summaryColumns).from(t).where(and(...where)).orderBy(desc(t.id)).limit(q.limit);
}
