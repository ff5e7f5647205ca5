// One try of one upstream. Decides, before anything reaches the client, whether the request
// commits to this upstream or may move on; after commit the response is the client's.
import type { PoolUpstream } from "../routing/pool.ts";
import { badReply } from "./bad-reply.ts";
import { answerHeaders, type AnswerHeaders, type HeaderRecord } from "./headers.ts";
import { elapsed, type RequestContext } from "./context.ts";
import { anthropicError } from "../adapters/anthropic-to-openai/shared.ts";
import { responsesErrorEvent, sseErrorEvent } from "./openai-error.ts";
import { CLIENT_GONE, pump, SHUTDOWN, TIMEOUT, type PumpEnd } from "./pump.ts";
import { redactBytes } from "./redact.ts";
import { StreamReply } from "./reply.ts";
import { EventFramer } from "./sse.ts";
import { streamTranslation, translatedAnswer, withoutAnthropicHeaders } from "./translate.ts";
import type { Adapter } from "../adapters/types.ts";
import { hideInjectedUsage } from "./usage-filter.ts";

export interface Answer {
  status: number;
  headers: Headers;
  body: Uint8Array;
}

export type AttemptResult =
  | { kind: "commit"; response: Response }
  | { kind: "failed"; outcome: string; message: string; timeout: boolean; answer?: Answer }
  | { kind: "client_gone" }
  | { kind: "shutdown" };

export interface AttemptDeps {
  /** Response headers Route adds (x-route-*), computed at commit. */
  routeHeaders: (ctx: RequestContext, h: HeaderRecord) => void;
  recordAttempt: (ctx: RequestContext, up: PoolUpstream, outcome: string, ms: number, status?: number) => void;
  /** Feeds the upstream's health with what the attempt showed, once it is known (streams: at their end). */
  verdict: (up: PoolUpstream, outcome: string, status?: number, retryAfter?: string | null) => void;
  /** Called once when a committed response has been fully delivered (or abandoned). */
  finish: (ctx: RequestContext) => void;
  /** Upstream calls under way (streams until they end): what the drain deadline aborts at shutdown. */
  active: Set<AbortController>;
}

const BUFFER_LIMIT = 16 << 20; // JSON/text answers up to this size are buffered (and so can still fail over)
/** The largest single stream event (or pre-content preamble) Route holds while it waits for its end. */
const MAX_EVENT_BYTES = 16 << 20;
const encoder = new TextEncoder();

function bufferable({ contentType: type, contentLength: len }: AnswerHeaders): boolean {
  return (type.includes("json") || type.startsWith("text/") || type === "") && len <= BUFFER_LIMIT;
}

function failureOf(err: unknown, signal: AbortSignal, limitMs: number, stream: boolean): AttemptResult {
  if (signal.reason === CLIENT_GONE) return { kind: "client_gone" };
  if (signal.reason === SHUTDOWN) return { kind: "shutdown" };
  if (signal.reason === TIMEOUT) {
    const what = stream ? "first token" : "response";
    return { kind: "failed", outcome: "timeout", message: `no ${what} within ${limitMs} ms`, timeout: true };
  }
  const code = String((err as { code?: unknown })?.code ?? "");
  const connect = /refused|FailedToOpenSocket|ENOTFOUND|EAI_|DNS|ConnectionRefused|UnableToConnect|EHOSTUNREACH|ENETUNREACH/i.test(code);
  const detail = code || (err as Error)?.message || "unknown error";
  return connect
    ? { kind: "failed", outcome: "connect_error", message: `connect failed (${detail})`, timeout: false }
    : { kind: "failed", outcome: "reset", message: `connection lost before the response (${detail})`, timeout: false };
}

/** The client asked for usage on its stream (OpenAI's stream_options.include_usage). */
const includesUsage = (ctx: RequestContext) => (ctx.json?.stream_options as { include_usage?: unknown } | undefined)?.include_usage === true;

/** The in-band error a stream in the client's own format ends with, after it started. */
function inBandError(ctx: RequestContext, reply: StreamReply, code: string, message: string): string {
  if (ctx.format === "anthropic") return `event: error\ndata: ${anthropicError("api_error", `${message} (${code})`)}\n\n`;
  return ctx.path === "/v1/responses" ? responsesErrorEvent(code, message, reply.nextSequenceNumber()) : sseErrorEvent(code, message);
}

/** `sendBody`: what this upstream gets (the model may be mapped); `deadlineAt`: the request's overall deadline (performance.now clock). */
export async function attempt(ctx: RequestContext, up: PoolUpstream, headers: HeaderRecord, deps: AttemptDeps, sendBody: Uint8Array | null = ctx.body, deadlineAt = Infinity): Promise<AttemptResult> {
  const started = performance.now();
  const ac = new AbortController();
  const clientSignal = ctx.req.signal;
  if (clientSignal.aborted) return { kind: "client_gone" };
  // Left registered when the attempt settles: aborting a finished attempt's controller is a no-op,
  // and removing the listener cost ~1 µs a request.
  clientSignal.addEventListener("abort", () => ac.abort(CLIENT_GONE), { once: true });
  const limitMs = Math.max(1, Math.min(ctx.stream ? up.effectiveStreamTimeoutMs : up.effectiveTimeoutMs, Math.round(deadlineAt - started)));
  const timer = setTimeout(() => ac.abort(TIMEOUT), limitMs);
  up.stats.inflight++;
  deps.active.add(ac);
  let settled = false;
  const settle = () => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    up.stats.inflight--;
    deps.active.delete(ac);
  };
  const fail = (r: AttemptResult, status?: number): AttemptResult => {
    settle();
    const outcome = r.kind === "failed" ? r.outcome : r.kind === "shutdown" ? "shutting_down" : "client_closed";
    deps.recordAttempt(ctx, up, outcome, performance.now() - started, status);
    deps.verdict(up, outcome, status, r.kind === "failed" ? r.answer?.headers.get("retry-after") : null);
    return r;
  };
  let heads: AnswerHeaders | null = null; // read once the answer's headers arrive (commit uses them)
  const commit = (res: Response, body: ReadableStream<Uint8Array> | Uint8Array | null, outcome: string, status = res.status): AttemptResult => {
    deps.recordAttempt(ctx, up, outcome, performance.now() - started, res.status);
    if (!(body instanceof ReadableStream)) deps.verdict(up, outcome, res.status);
    ctx.upstream = up;
    ctx.status = status;
    const h = heads!.forClient;
    deps.routeHeaders(ctx, h);
    if (ctx.upstreamRequestId !== null) h["x-upstream-request-id"] = ctx.upstreamRequestId;
    return { kind: "commit", response: new Response(body, { status, statusText: status === res.status ? res.statusText : "", headers: h }) };
  };
  /** A committed body that is streamed: the request finishes when the stream does. */
  const onStreamEnd = (end: PumpEnd) => {
    settle();
    if (end.kind === "client_gone") {
      ctx.status = 499;
      ctx.errorCode = "client_closed";
      ctx.errorMessage = "client closed the connection mid-response; upstream request cancelled";
    } else if (end.kind === "upstream_error") {
      ctx.errorCode = end.code;
      ctx.errorMessage = end.message;
    }
    // A stream cut by Route's own shutdown says nothing about the upstream.
    const verdict = end.kind === "done" ? "ok" : end.kind === "client_gone" ? "client_closed" : end.code === "shutting_down" ? "shutting_down" : "stream_error";
    deps.verdict(up, verdict);
    deps.finish(ctx);
  };

  const t = up.target;
  let h = headers; // shared by the request's attempts: only the auth header differs between them
  if (t.headers.length > 0 || t.defaultHeaders.length > 0 || t.auth[0] !== "authorization" || t.wire !== ctx.format) {
    // Rare (extra headers, Azure, another format): a copy, so nothing leaks into the next upstream's attempt.
    h = { ...headers };
    delete h.authorization;
    for (const [k, v] of t.defaultHeaders) h[k] ??= v;
    for (const [k, v] of t.headers) h[k.toLowerCase()] = v;
    if (t.wire === "openai" && ctx.format === "anthropic") withoutAnthropicHeaders(h);
  }
  h[t.auth[0]] = t.auth[1];
  const adapter = ctx.adapter;
  const upstreamPath = adapter ? adapter.path(ctx.path) : ctx.path;
  let res: Response;
  try {
    res = await fetch(t.url(upstreamPath, ctx.search, ctx.upstreamModel ?? ctx.model), {
      method: ctx.method,
      headers: h,
      body: sendBody,
      signal: ac.signal,
      redirect: "manual",
      timeout: false, // Route's own clocks decide; Bun's 5-minute socket idle default must not
    } as RequestInit);
  } catch (err) {
    return fail(failureOf(err, ac.signal, limitMs, ctx.stream));
  }
  ctx.ttfbMs = elapsed(ctx);
  heads = answerHeaders(res.headers);
  ctx.upstreamRequestId = heads.requestId; // the last upstream that answered: the one to ask about it

  if (res.status === 429 || res.status >= 500) {
    let body: Uint8Array = new Uint8Array(0);
    try {
      body = redactBytes(new Uint8Array(await res.arrayBuffer()), up.sk);
      if (adapter) body = translatedAnswer(adapter, res.status, body, ctx.model ?? "")!.body; // the client's error envelope
    } catch {}
    const outcome = res.status === 429 ? "http_429" : "http_5xx";
    const answer = { status: res.status, headers: res.headers, body };
    return fail({ kind: "failed", outcome, message: `answered ${res.status}`, timeout: false, answer }, res.status);
  }

  if (res.status >= 300 && res.status < 400 && res.status !== 304) {
    // Never followed and never passed on: the Location could point anywhere (RELIABILITY.md).
    res.body?.cancel().catch(() => {});
    return fail({ kind: "failed", outcome: "redirect", message: `answered ${res.status} (a redirect; Route does not follow redirects)`, timeout: false }, res.status);
  }

  const sse = res.ok && res.body !== null && heads.contentType.includes("text/event-stream");
  if (sse) return openStream(ctx, up, res, ac, adapter, { fail: (r) => fail(r), commit, onStreamEnd, settle, limitMs, stallMs: up.effectiveStallTimeoutMs, timer, started });

  if (res.body !== null && !bufferable(heads)) {
    clearTimeout(timer); // binary bodies (audio, files) stream through under the stall clock
    const reader = res.body.getReader() as ReadableStreamDefaultReader<Uint8Array>;
    return commit(res, pump({ reader, stallMs: up.effectiveStallTimeoutMs, controller: ac, onEnd: onStreamEnd }), "ok");
  }

  let body: Uint8Array;
  try {
    body = new Uint8Array(await res.arrayBuffer());
  } catch (err) {
    return fail(failureOf(err, ac.signal, limitMs, ctx.stream));
  }
  if (res.ok) {
    // A 200 that carries no answer (empty, an HTML page, no choices) is the upstream's failure, not a reply.
    const bad = badReply(upstreamPath, heads.contentType, body);
    if (bad) return fail({ kind: "failed", outcome: "bad_reply", message: bad, timeout: false }, res.status);
  }
  settle();
  if (res.status >= 400) body = redactBytes(body, up.sk);
  let status = res.status;
  if (adapter) {
    const translated = translatedAnswer(adapter, res.status, body, ctx.model ?? "");
    if (!translated) return fail({ kind: "failed", outcome: "bad_reply", message: "answered 200 with a body that is not JSON", timeout: false }, res.status);
    ({ status, body } = translated);
  }
  ctx.responseBody = body;
  const r = commit(res, body, res.status >= 400 ? "http_4xx" : "ok", status);
  deps.finish(ctx);
  return r;
}

interface StreamHooks {
  fail: (r: AttemptResult) => AttemptResult;
  commit: (res: Response, body: ReadableStream<Uint8Array> | Uint8Array | null, outcome: string, status?: number) => AttemptResult;
  onStreamEnd: (end: PumpEnd) => void;
  settle: () => void;
  limitMs: number;
  stallMs: number;
  timer: ReturnType<typeof setTimeout>;
  started: number; // performance.now() when the attempt began
}

/**
 * Holds the stream until its first content event: a failure, an in-band error or the first-token
 * clock running out before then still fails over. Then forwards whole events as they arrive.
 */
async function openStream(
  ctx: RequestContext,
  up: PoolUpstream,
  res: Response,
  ac: AbortController,
  adapter: Adapter | null,
  h: StreamHooks,
): Promise<AttemptResult> {
  const reader = res.body!.getReader() as ReadableStreamDefaultReader<Uint8Array>;
  const reply = new StreamReply();
  const held: Uint8Array[] = [];
  let heldBytes = 0;
  for (let committed = false; !committed; ) {
    let r: Awaited<ReturnType<typeof reader.read>>;
    try {
      r = await reader.read();
    } catch (err) {
      return h.fail(failureOf(err, ac.signal, h.limitMs, true));
    }
    if (r.done) return h.fail({ kind: "failed", outcome: "stream_error", message: "stream ended before any content", timeout: false });
    held.push(r.value);
    heldBytes += r.value.length;
    const kind = reply.read(r.value);
    if (kind === "error") {
      reader.cancel().catch(() => {});
      return h.fail({ kind: "failed", outcome: "stream_error", message: `error event before content: ${reply.error?.message}`, timeout: false });
    }
    if (kind !== "content" && heldBytes > MAX_EVENT_BYTES) {
      reader.cancel().catch(() => {});
      return h.fail({ kind: "failed", outcome: "bad_reply", message: `${heldBytes} bytes of stream without any content`, timeout: false });
    }
    committed = kind === "content";
  }
  clearTimeout(h.timer);
  ctx.ttftMs = elapsed(ctx);
  up.stats.observeTtft(performance.now() - h.started); // this attempt's own first-token time (stream_timeout: auto)
  ctx.streamReply = reply;

  const framer = new EventFramer(MAX_EVENT_BYTES);
  const first = framer.push(held.length === 1 ? held[0]! : Buffer.concat(held)) ?? new Uint8Array(0);
  const transform = (chunk: Uint8Array): Uint8Array | null => {
    reply.keep(chunk); // parsed for the log later, off the response path
    return framer.push(chunk);
  };
  // After framing, whole events go through at most one more stage: the adapter's translation, or
  // (only for streams whose usage Route asked for) the usage filter; the rest pass bytes through.
  const translation = adapter && streamTranslation(adapter, ctx.model ?? "", includesUsage(ctx));
  const hide = (b: Uint8Array | null) => b && hideInjectedUsage(b);
  const stage = translation ? translation.push : ctx.usageInjected ? hide : null;
  const rest = () => framer.flush();
  const body = pump({
    reader,
    head: [stage ? (stage(first) ?? new Uint8Array(0)) : first],
    transform: stage ? (chunk) => stage(transform(chunk)) : transform,
    flush: translation ? () => translation.end(rest()) : stage ? () => stage(rest()) : rest,
    tail: (e) => (translation ? translation.fail(e.code, e.message) : encoder.encode(inBandError(ctx, reply, e.code, e.message))),
    stallMs: h.stallMs,
    controller: ac,
    onEnd: h.onStreamEnd,
  });
  return h.commit(res, body, "ok");
}
