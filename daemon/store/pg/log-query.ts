// logs.query on Postgres: the shared filters (log-filter.ts), text matched with ILIKE for now
// (case-insensitive like SQLite's LIKE; full-text search is a later issue), newest first by id.
import { and, desc, like, sql } from "drizzle-orm";
import type { PostgresJsDatabase } from "drizzle-orm/postgres-js";
import { idSuffix, logConditions } from "../log-filter.ts";
import { LOG_SUMMARY_FIELDS, REPLY_PREVIEW_CHARS, type LogQuery, type LogSummary } from "../types.ts";
import { requestLogs as t } from "./schema-logs.ts";

const summaryColumns = {
  ...(Object.fromEntries(LOG_SUMMARY_FIELDS.map((k) => [k, t[k]])) as { [K in (typeof LOG_SUMMARY_FIELDS)[number]]: (typeof t)[K] }),
  replyPreview: sql<string | null>`substr(${t.replyText}, 1, ${REPLY_PREVIEW_CHARS})`,
};

export async function findLogIds(db: PostgresJsDatabase<any>, suffix: string, limit: number): Promise<string[]> {
  return (await db.select({ id: t.id }).from(t).where(like(t.id, idSuffix(suffix))).orderBy(desc(t.id)).limit(limit)).map((r) => r.id);
}

export function queryLogs(db: PostgresJsDatabase<any>, q: LogQuery): Promise<LogSummary[]> {
  return db
    .select(summaryColumns)
    .from(t)
    .where(and(...logConditions(t, q, (c, p) => sql`${c} ilike ${p} escape '\\'`)))
    .orderBy(desc(t.id))
    .limit(q.limit);
}
