// Builds the request-log row from a finished request. Runs in the log writer's batch, off the
// response path: body decoding and reply parsing cost nothing to the client.
import type { LogRow } from "../store/types.ts";
import type { RequestContext } from "./context.ts";
import { replyFromJson, type Reply, type Usage } from "./reply.ts";
import { estimatePromptTokens, estimateTextTokens } from "./tokens.ts";

export const REQUEST_LOG_CAP = 1 << 20; // bytes of request body kept per row

const decoder = new TextDecoder();

function requestText(ctx: RequestContext): { text: string | null; truncated: boolean } {
  if (ctx.bodySummary !== null) return { text: ctx.bodySummary, truncated: false };
  if (ctx.body === null) return { text: null, truncated: false };
  const truncated = ctx.body.length > REQUEST_LOG_CAP;
  if (!truncated && ctx.bodyText !== null) return { text: ctx.bodyText, truncated };
  return { text: decoder.decode(truncated ? ctx.body.subarray(0, REQUEST_LOG_CAP) : ctx.body), truncated };
}

/** Bytes the context holds for its row, from lengths only: it runs as the request finishes. */
export function heldBytes(ctx: RequestContext): number {
  return (ctx.body?.length ?? 0) + (ctx.bodyText?.length ?? 0) + (ctx.responseBody?.length ?? 0) + (ctx.streamReply?.keptBytes ?? 0);
}

/** The log queue is over its byte bound: release the bodies now; the row keeps the metadata. */
export function dropBodies(ctx: RequestContext): void {
  ctx.bodiesDropped = { requestBytes: ctx.body?.length ?? 0 };
  ctx.body = null;
  ctx.bodyText = null;
  ctx.bodySummary = null;
  ctx.json = null;
  ctx.responseBody = null;
  ctx.streamReply = null;
}

function replyOf(ctx: RequestContext): Reply | null {
  if (ctx.streamReply) return ctx.streamReply.result();
  if (!ctx.responseBody || ctx.responseBody.length === 0) return null;
  const text = decoder.decode(ctx.responseBody);
  try {
    return replyFromJson(JSON.parse(text));
  } catch {
    // Not JSON (text/plain transcription, an HTML error page): the text is the reply, capped.
    return { text: text.slice(0, REQUEST_LOG_CAP), toolCalls: null, usage: null, error: null };
  }
}

const GENERATIVE = new Set(["/v1/chat/completions", "/v1/completions", "/v1/responses", "/v1/messages"]);

/**
 * The reply's usage, or a local count when the upstream reported none: a stream cut short (client
 * gone, upstream died) or an upstream that ignores include_usage still spent tokens.
 */
function tokensOf(ctx: RequestContext, reply: Reply | null): { usage: Usage | null; estimated: boolean } {
  const usage = reply?.usage ?? null;
  if (usage?.totalTokens != null || reply === null || !GENERATIVE.has(ctx.path)) return { usage, estimated: false };
  const answered = ctx.streamReply !== null || (ctx.status >= 200 && ctx.status < 300);
  if (!answered || (reply.text === null && reply.toolCalls === null)) return { usage, estimated: false };
  const prompt = usage?.promptTokens ?? estimatePromptTokens(ctx.json) ?? 0;
  const completion = usage?.completionTokens ?? estimateTextTokens(reply.text, reply.toolCalls);
  return { usage: { promptTokens: prompt, completionTokens: completion, totalTokens: prompt + completion }, estimated: true };
}

/**
 * What is known of a finished request without decoding a body or parsing a reply: cheap enough for
 * the response path (the crash journal), and the frame toLogRow fills in.
 */
export function receiptOf(ctx: RequestContext): LogRow {
  return {
    id: ctx.id,
    ts: ctx.ts,
    clientIp: ctx.clientIp,
    method: ctx.method,
    path: ctx.path,
    model: ctx.model,
    stream: ctx.stream,
    requestBody: null,
    requestBytes: ctx.bodiesDropped?.requestBytes ?? ctx.body?.length ?? 0,
    requestTruncated: false,
    upstreamId: ctx.upstream?.id ?? null,
    upstreamName: ctx.upstream?.label ?? null,
    upstreamModel: ctx.upstreamModel,
    plan: ctx.plan,
    attempts: ctx.attempts,
    status: ctx.status,
    ttfbMs: ctx.ttfbMs === null ? null : Math.round(ctx.ttfbMs),
    ttftMs: ctx.ttftMs === null ? null : Math.round(ctx.ttftMs),
    totalMs: Math.round(ctx.totalMs ?? 0),
    replyText: null,
    toolCalls: null,
    promptTokens: null,
    completionTokens: null,
    totalTokens: null,
    tokensEstimated: false,
    errorCode: ctx.errorCode,
    errorMessage: ctx.errorMessage,
    userAgent: ctx.req.headers.get("user-agent"),
    upstreamRequestId: ctx.upstreamRequestId,
    bodiesDropped: true,
    keyId: ctx.key?.id ?? null,
    keyName: ctx.key?.name ?? null,
    costMicros: null, // priced by the billing stage when the row is built (daemon.ts)
    priceSource: null,
    cachedTokens: null,
    cacheWriteTokens: null,
    reasoningTokens: null,
    affinity: ctx.upstream !== null && ctx.upstream === ctx.session?.preferred,
    bodiesOmitted: null,
    replyTruncated: false,
  };
}

export function toLogRow(ctx: RequestContext): LogRow {
  const row = receiptOf(ctx);
  const req = requestText(ctx);
  const reply = replyOf(ctx);
  const { usage, estimated } = tokensOf(ctx, reply);
  const upstreamError = reply?.error ?? null; // an error body, or an in-band error event mid-stream
  row.requestBody = req.text;
  row.requestTruncated = req.truncated;
  row.replyText = reply?.text ?? null;
  row.toolCalls = reply?.toolCalls ?? null;
  row.promptTokens = usage?.promptTokens ?? null;
  row.completionTokens = usage?.completionTokens ?? null;
  row.totalTokens = usage?.totalTokens ?? null;
  row.tokensEstimated = estimated;
  row.errorCode ??= upstreamError?.code ?? null;
  row.errorMessage ??= upstreamError?.message ?? null;
  row.bodiesDropped = ctx.bodiesDropped !== null;
  row.cachedTokens = usage?.cachedTokens ?? null;
  row.cacheWriteTokens = usage?.cacheWriteTokens ?? null;
  row.reasoningTokens = usage?.reasoningTokens ?? null;
  return row;
}
