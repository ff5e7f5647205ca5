// logs.query's filters as SQL conditions, for either backend: the columns are the backend's
// request_logs table, `textMatch` its case-insensitive pattern match (SQLite LIKE, Postgres ILIKE).
// The paging cursor and the full-text search are each backend's own (sqlite/ and pg/ log-query.ts).
import { and, eq, gte, lt, or, type Column, type SQL } from "drizzle-orm";
import type { LogQuery } from "./types.ts";

type FilterColumns = Record<
  "upstreamId" | "upstreamName" | "model" | "keyName" | "status" | "ts" | "requestBody" | "replyText" | "errorCode" | "stream" | "totalMs",
  Column
>;

/** "5xx" → [500, 600); a number → that status exactly. */
export function statusRange(status: number | string): [number, number] | null {
  if (typeof status === "number") return [status, status + 1];
  const m = /^([1-5])xx$/i.exec(status.trim());
  if (m) return [Number(m[1]) * 100, Number(m[1]) * 100 + 100];
  return /^\d{3}$/.test(status.trim()) ? [Number(status), Number(status) + 1] : null;
}

/** The pattern for text found anywhere; LIKE wildcards in the user's text are literal (escape '\'). */
export const likeText = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** A suffix pattern for ids; wildcards in the suffix are dropped. */
export const idSuffix = (suffix: string) => `%${suffix.replace(/[\\%_]/g, "")}`;

/**
 * The words of a full-text search as both backends' tokenizers split text: runs of letters, marks
 * and digits (anything else separates; no query syntax). At most 32: a search is a few words.
 */
export const searchWords = (text: string): string[] => text.split(/[^\p{L}\p{M}\p{N}]+/u).filter(Boolean).slice(0, 32);

/** Every filter but the cursor (`before`) and `search`. */
export function logConditions(t: FilterColumns, q: LogQuery, textMatch: (column: Column, pattern: string) => SQL): SQL[] {
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
  if (q.errorCode !== undefined) where.push(eq(t.errorCode, q.errorCode));
  if (q.stream !== undefined) where.push(eq(t.stream, q.stream));
  if (q.minLatencyMs !== undefined) where.push(gte(t.totalMs, q.minLatencyMs));
  if (q.since !== undefined) where.push(gte(t.ts, q.since));
  if (q.until !== undefined) where.push(lt(t.ts, q.until));
  if (q.text) {
    const pattern = likeText(q.text);
    where.push(or(textMatch(t.requestBody, pattern), textMatch(t.replyText, pattern)));
  }
  return where.filter((w): w is SQL => w !== undefined);
}
