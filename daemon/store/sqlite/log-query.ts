// logs.query: filters and cursor paging over request_logs, newest first, without the bodies.
import { and, desc, eq, gte, like, lt, or, sql, type SQL } from "drizzle-orm";
import type { BunSQLiteDatabase } from "drizzle-orm/bun-sqlite";
import * as schema from "./schema.ts";
import { LOG_SUMMARY_FIELDS, REPLY_PREVIEW_CHARS, type LogQuery, type LogSummary } from "../types.ts";

const { requestLogs: t } = schema;
const summaryColumns = {
  ...(Object.fromEntries(LOG_SUMMARY_FIELDS.map((k) => [k, t[k]])) as { [K in (typeof LOG_SUMMARY_FIELDS)[number]]: (typeof t)[K] }),
  replyPreview: sql<string | null>`substr(${t.replyText}, 1, ${REPLY_PREVIEW_CHARS})`,
};

/** "5xx" → [500, 600); a number → that status exactly. */
export function statusRange(status: number | string): [number, number] | null {
  if (typeof status === "number") return [status, status + 1];
  const m = /^([1-5])xx$/i.exec(status.trim());
  if (m) return [Number(m[1]) * 100, Number(m[1]) * 100 + 100];
  return /^\d{3}$/.test(status.trim()) ? [Number(status), Number(status) + 1] : null;
}

// LIKE wildcards in the user's text are literal.
const likeText = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

function conditions(q: LogQuery): SQL[] {
  const where: (SQL | undefined)[] = [];
  if (q.upstream !== undefined) {
    where.push(typeof q.upstream === "number" ? eq(t.upstreamId, q.upstream) : eq(t.upstreamName, q.upstream));
  }
  if (q.model !== undefined) where.push(eq(t.model, q.model));
  if (q.key !== undefined) where.push(eq(t.keyName, q.key));
  if (q.status !== undefined) {
    const r = statusRange(q.status);
    if (r) where.push(and(gte(t.status, r[0]), lt(t.status, r[1])));
  }
  if (q.since !== undefined) where.push(gte(t.ts, q.since));
  if (q.until !== undefined) where.push(lt(t.ts, q.until));
  if (q.before !== undefined) where.push(lt(t.id, q.before));
  if (q.text) {
    const pattern = likeText(q.text);
    where.push(or(sql`${t.requestBody} like ${pattern} escape '\\'`, sql`${t.replyText} like ${pattern} escape '\\'`));
  }
  return where.filter((w): w is SQL => w !== undefined);
}

export function findLogIds(db: BunSQLiteDatabase<typeof schema>, suffix: string, limit: number): string[] {
  return db.select({ id: t.id }).from(t).where(like(t.id, `%${suffix.replace(/[\\%_]/g, "")}`)).orderBy(desc(t.id)).limit(limit).all().map((r) => r.id);
}

export function queryLogs(db: BunSQLiteDatabase<typeof schema>, q: LogQuery): LogSummary[] {
  return db
    .select(summaryColumns)
    .from(t)
    .where(and(...conditions(q)))
    .orderBy(desc(t.id))
    .limit(q.limit)
    .all();
}

