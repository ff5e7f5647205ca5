// logs.query: filters and cursor paging over request_logs, newest first, without the bodies.
import { and, desc, like, sql } from "drizzle-orm";
import type { BunSQLiteDatabase } from "drizzle-orm/bun-sqlite";
import * as schema from "./schema.ts";
import { idSuffix, logConditions } from "../log-filter.ts";
import { LOG_SUMMARY_FIELDS, REPLY_PREVIEW_CHARS, type LogQuery, type LogSummary } from "../types.ts";

const { requestLogs: t } = schema;
const summaryColumns = {
  ...(Object.fromEntries(LOG_SUMMARY_FIELDS.map((k) => [k, t[k]])) as { [K in (typeof LOG_SUMMARY_FIELDS)[number]]: (typeof t)[K] }),
  replyPreview: sql<string | null>`substr(${t.replyText}, 1, ${REPLY_PREVIEW_CHARS})`,
};

export function findLogIds(db: BunSQLiteDatabase<typeof schema>, suffix: string, limit: number): string[] {
  return db.select({ id: t.id }).from(t).where(like(t.id, idSuffix(suffix))).orderBy(desc(t.id)).limit(limit).all().map((r) => r.id);
}

export function queryLogs(db: BunSQLiteDatabase<typeof schema>, q: LogQuery): LogSummary[] {
  return db
    .select(summaryColumns)
    .from(t)
    .where(and(...logConditions(t, q, (c, p) => sql`${c} like ${p} escape '\\'`)))
    .orderBy(desc(t.id))
    .limit(q.limit)
    .all();
}
