// request_logs as both backends bind and read it. Log rows are the hottest write, so they skip
// drizzle's per-column mapping: each row is bound as a plain array in this column order, checked
// against each schema when its store opens, so a new column cannot be bound in the wrong place.
import type { LogRow } from "./types.ts";

export const LOG_COLUMNS = [
  "id", "ts", "clientIp", "method", "path", "model", "stream", "requestBody", "requestBytes", "requestTruncated",
  "upstreamId", "upstreamName", "upstreamModel", "plan", "attempts", "status", "ttfbMs", "ttftMs", "totalMs",
  "replyText", "toolCalls", "promptTokens", "completionTokens", "totalTokens", "tokensEstimated", "errorCode",
  "errorMessage", "userAgent", "upstreamRequestId", "bodiesDropped", "keyId", "keyName", "costMicros", "priceSource",
  "cachedTokens", "cacheWriteTokens", "reasoningTokens", "affinity", "bodiesOmitted", "replyTruncated",
] as const satisfies readonly (keyof LogRow)[];

/** Throws unless `keys` (a schema's column keys, in order) is LOG_COLUMNS. */
export function checkLogColumns(keys: string[]): void {
  if (keys.join() !== LOG_COLUMNS.join()) throw new Error(`request_logs columns changed (${keys.join(", ")}); update LOG_COLUMNS and the stores' bindLog`);
}

type Stored = Omit<LogRow, "plan" | "attempts" | "toolCalls"> & { plan: string | null; attempts: string; toolCalls: string | null };

/** A selected row back to a LogRow: its JSON text columns parsed. */
export function fromStored(r: Stored): LogRow {
  return {
    ...r,
    attempts: JSON.parse(r.attempts),
    plan: r.plan ? JSON.parse(r.plan) : null,
    toolCalls: r.toolCalls ? JSON.parse(r.toolCalls) : null,
  };
}

/** A row's values in LOG_COLUMNS order; `bool` turns flags into what the driver binds (SQLite: 0/1). */
export const logBinder = (bool: (b: boolean) => unknown) => (r: LogRow): unknown[] => [
  r.id, r.ts, r.clientIp, r.method, r.path, r.model, bool(r.stream), r.requestBody, r.requestBytes, bool(r.requestTruncated),
  r.upstreamId, r.upstreamName, r.upstreamModel, r.plan && JSON.stringify(r.plan), JSON.stringify(r.attempts), r.status, r.ttfbMs, r.ttftMs, r.totalMs,
  r.replyText, r.toolCalls && JSON.stringify(r.toolCalls), r.promptTokens, r.completionTokens, r.totalTokens, bool(r.tokensEstimated), r.errorCode,
  r.errorMessage, r.userAgent, r.upstreamRequestId, bool(r.bodiesDropped), r.keyId, r.keyName, r.costMicros, r.priceSource,
  r.cachedTokens, r.cacheWriteTokens, r.reasoningTokens, bool(r.affinity), r.bodiesOmitted, bool(r.replyTruncated),
];
