// A scriptable OpenAI-style upstream on loopback for end-to-end tests. Each request takes the next
// queued behaviour (or the default): status, delay, hang, time to first token, chunk count and
// gaps, reset mid-stream, in-band error events, gzip, header echo, a recorded stream replayed as is.
// Stream bodies go out in one burst, or split and paced like a real network (network.ts). It
// records what it received and which requests the proxy abandoned (the client side closed).
import { createFakeBook, scriptedStream, serveLoopback } from "./fake-book.ts";
import { replayBody, type NetworkOptions, type Replay } from "./network.ts";

export type { Received } from "./fake-book.ts";

export interface StreamBehavior {
  chunks?: number;
  ttftMs?: number; // delay before the first content event (after the role preamble)
  gapMs?: number; // between content chunks
  pauseAt?: { index: number; ms: number }; // one long pause before chunk `index`
  resetAfter?: number; // drop the connection after this many content chunks
  errorBeforeContent?: boolean; // send an in-band error event instead of content
  splitEvents?: boolean; // send every event in byte-sized pieces
  holdBefore?: { index: number; until: Promise<unknown> }; // wait for the test before chunk `index`
  noUsage?: boolean; // ignore stream_options.include_usage (some resellers do)
}

export interface Behavior {
  status?: number;
  headers?: Record<string, string>;
  delayMs?: number; // before response headers
  hang?: boolean; // never answer
  body?: unknown; // JSON (or string) body instead of the default for the path
  stream?: StreamBehavior;
  gzip?: boolean;
  echoHeaders?: boolean;
  replay?: Replay; // answer with this recorded SSE body, whatever was asked
  network?: NetworkOptions | null; // stream delivery for this request (default: the fake's, see network())
  toolCall?: ToolCallBehavior; // answer (stream or not) with one tool call instead of text
}

/** A tool call as Gemini's OpenAI-compatible endpoint sends it: whole in one chunk, its thought signature in `extra_content`. */
export interface ToolCallBehavior {
  name?: string; // default get_weather
  arguments?: string; // default {"location":"Paris"}
  thoughtSignature?: string; // puts extra_content: {google: {thought_signature}} on the call
}

const enc = new TextEncoder();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startFakeUpstream(name = "fake") {
  const book = createFakeBook<Behavior>();
  const onAbort = book.onAbort;

  const chat = (model: string, text: string) => ({
    id: `chatcmpl-${name}`,
    object: "chat.completion",
    created: 1_700_000_000,
    model,
    choices: [{ index: 0, message: { role: "assistant", content: text }, finish_reason: "stop" }],
    usage: { prompt_tokens: 5, completion_tokens: 7, total_tokens: 12 },
  });
  const chunk = (model: string, delta: object, finish: string | null = null, extra: object = {}) =>
    `data: ${JSON.stringify({ id: `chatcmpl-${name}`, object: "chat.completion.chunk", created: 1_700_000_000, model, choices: [{ index: 0, delta, finish_reason: finish }], ...extra })}\n\n`;

  const toolCallOf = (t: ToolCallBehavior) => ({
    id: `function-call-${name}`,
    type: "function",
    function: { name: t.name ?? "get_weather", arguments: t.arguments ?? '{"location":"Paris"}' },
    ...(t.thoughtSignature === undefined ? {} : { extra_content: { google: { thought_signature: t.thoughtSignature } } }),
  });

  function defaultBody(path: string, json: any, call?: ToolCallBehavior): unknown {
    const model = json?.model ?? "unknown";
    if (path.endsWith("/embeddings")) {
      const vec = [0.5, 0.25, 0.125];
      const embedding = json?.encoding_format === "base64" ? Buffer.from(new Float32Array(vec).buffer).toString("base64") : vec;
      return { object: "list", data: [{ object: "embedding", index: 0, embedding }], model, usage: { prompt_tokens: 3, total_tokens: 3 } };
    }
    if (path.endsWith("/models")) return { object: "list", data: [{ id: "gpt-4o-mini", object: "model", created: 0, owned_by: name }] };
    if (path.endsWith("/completions") && !path.includes("chat")) return { id: "cmpl", object: "text_completion", model, choices: [{ index: 0, text: `completion from ${name}`, finish_reason: "stop" }], usage: { prompt_tokens: 2, completion_tokens: 3, total_tokens: 5 } };
    if (!call) return chat(model, `hello from ${name}`);
    const message = { role: "assistant", content: null, tool_calls: [toolCallOf(call)] };
    return { ...chat(model, ""), choices: [{ index: 0, message, finish_reason: "tool_calls" }] };
  }

  function streamBody(json: any, s: StreamBehavior, net: NetworkOptions | null, call?: ToolCallBehavior): ReadableStream<Uint8Array> {
    const model = json?.model ?? "unknown";
    const n = s.chunks ?? 3;
    return scriptedStream(net, onAbort, async (w) => {
      await w.send(chunk(model, { role: "assistant", content: "" }));
      if (s.ttftMs) await sleep(s.ttftMs);
      if (s.errorBeforeContent) return w.send(`data: ${JSON.stringify({ error: { message: `${name} overloaded`, type: "server_error", code: "overloaded" } })}\n\n`);
      for (let i = 0; i < (call ? 0 : n); i++) {
        if (w.cancelled) return;
        if (s.holdBefore?.index === i) await s.holdBefore.until;
        if (s.resetAfter !== undefined && i === s.resetAfter) return w.reset();
        if (s.pauseAt?.index === i) await sleep(s.pauseAt.ms);
        else if (i > 0 && s.gapMs) await sleep(s.gapMs);
        await w.send(chunk(model, { content: `w${i} ` }));
      }
      if (call) await w.send(chunk(model, { tool_calls: [{ index: 0, ...toolCallOf(call) }] }));
      await w.send(chunk(model, {}, call ? "tool_calls" : "stop"));
      if (json?.stream_options?.include_usage && !s.noUsage) await w.send(`data: ${JSON.stringify({ id: "u", object: "chat.completion.chunk", model, choices: [], usage: { prompt_tokens: 5, completion_tokens: n, total_tokens: 5 + n } })}\n\n`);
      await w.send("data: [DONE]\n\n");
      book.completed();
    }, s.splitEvents);
  }

  const server = serveLoopback(async (req) => {
    const url = new URL(req.url);
    const { json, headers } = await book.record(req);
    const b = book.take();
    if (b.hang) return new Promise<Response>(() => {});
    if (b.delayMs) await sleep(b.delayMs);
    if (req.signal.aborted) return new Response(null, { status: 499 });
    const status = b.status ?? 200;
    const h = new Headers(b.headers);
    if (b.echoHeaders) return Response.json({ headers }, { status, headers: h });
    const net = book.networkFor(b);
    if (b.replay) {
      if (!h.has("content-type")) h.set("content-type", "text/event-stream; charset=utf-8");
      return new Response(replayBody(b.replay, net, onAbort), { status, headers: h });
    }
    if (status < 400 && (json?.stream === true || b.stream)) {
      h.set("content-type", "text/event-stream");
      return new Response(streamBody(json, b.stream ?? {}, net, b.toolCall), { status, headers: h });
    }
    let body = b.body ?? (status >= 400 ? { error: { message: `${name} says ${status}`, type: "server_error", code: null } } : defaultBody(url.pathname, json, b.toolCall));
    if (url.pathname.endsWith("/audio/speech") && b.body === undefined) {
      h.set("content-type", "audio/mpeg");
      return new Response(new Uint8Array(4096).map((_, i) => i % 251), { status, headers: h });
    }
    if (url.pathname.endsWith("/audio/transcriptions") && b.body === undefined) body = { text: `transcribed by ${name}` };
    const raw = typeof body === "string" ? body : JSON.stringify(body);
    if (!h.has("content-type")) h.set("content-type", typeof body === "string" ? "text/plain" : "application/json");
    book.completed();
    if (b.gzip) {
      h.set("content-encoding", "gzip");
      return new Response(Bun.gzipSync(enc.encode(raw)), { status, headers: h });
    }
    return new Response(raw, { status, headers: h });
  });

  return Object.assign(book.controls, { name, url: `http://127.0.0.1:${server.port}/v1`, stop: () => server.stop(true) });
}

export type FakeUpstream = Awaited<ReturnType<typeof startFakeUpstream>>;

/** An address where nothing listens: connecting is refused. */
export async function refusedUrl(): Promise<string> {
  const s = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response() });
  const port = s.port;
  await s.stop(true);
  return `http://127.0.0.1:${port}/v1`;
}

/** A TCP server that reads the request and drops the connection before any response. */
export function startResetServer() {
  const l = Bun.listen({
    hostname: "127.0.0.1",
    port: 0,
    socket: {
      data(socket) {
        socket.terminate();
      },
    },
  });
  return { url: `http://127.0.0.1:${l.port}/v1`, stop: () => l.stop(true) };
}
