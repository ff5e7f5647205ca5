// logs.query: filters and cursor paging over request_logs, newest first, without the bodies. A
// full-text search is driven by the FTS5 index in descending rowid order (write order), joined to
// the rows and filtered, so a common word stops after one page instead of collecting every match.
import { and, desc, like, lt, sql, type Column } from "drizzle-orm";
import type { BunSQLiteDatabase } from "drizzle-orm/bun-sqlite";
import { integer, sqliteTable } from "drizzle-orm/sqlite-core";
import * as schema from "./schema.ts";
import { idSuffix, logConditions } from "../log-filter.ts";
import { FTS_TABLE, ftsQuery } from "./log-search.ts";
import { LOG_SUMMARY_FIELDS, REPLY_PREVIEW_CHARS, type LogQuery, type LogSummary } from "../types.ts";

const { requestLogs: t } = schema;
// The FTS5 table (log-search.ts) as drizzle sees it: only its rowid, to join and order by.
const fts = sqliteTable(FTS_TABLE, { rowid: integer("rowid").notNull() });
const summaryColumns = {
  ...(Object.fromEntries(LOG_SUMMARY_FIELDS.map((k) => [k, t[k]])) as { [K in (typeof LOG_SUMMARY_FIELDS)[number]]: (typeof t)[K] }),
  replyPreview: sql<string | null>`substr(${t.replyText}, 1, ${REPLY_PREVIEW_CHARS})`,
};
const textMatch = (c: Column, p: string) => sql`${c} like ${p} escape '\\'`;

export function findLogIds(db: BunSQLiteDatabase<typeof schema>, suffix: string, limit: number): string[] {
  return db.select({ id: t.id }).from(t).where(like(t.id, idSuffix(suffix))).orderBy(desc(t.id)).limit(limit).all().map((r) => r.id);
}

export function queryLogs(db: BunSQLiteDatabase<typeof schema>, q: LogQuery): LogSummary[] {
  const where = logConditions(t, q, textMatch);
  if (q.search === undefined) {
    if (q.before !== undefined) where.push(lt(t.id, q.before));
    return db.select(summaryColumns).from(t).where(and(...where)).orderBy(desc(t.id)).limit(q.limit).all();
  }
  const match = ftsQuery(q.search);
  if (match === null) return [];
  // The cursor row's place in the index; if retention deleted it meanwhile, just past the row before it.
  if (q.before !== undefined) {
    where.push(sql`${fts.rowid} < coalesce((select rowid from request_logs where id = ${q.before}), (select rowid + 1 from request_logs where id < ${q.before} order by id desc limit 1), 0)`);
  }
  return db
    .select(summaryColumns)
    .from(fts)
    .innerJoin(t, sql`${t}.rowid = ${fts.rowid}`)
    .where(and(sql`${fts} match ${match}`, ...where))
    .orderBy(desc(fts.rowid))
    .limit(q.limit)
    .all();
}
