// A scriptable fake of Anthropic's Messages API on loopback for end-to-end tests, in the style of
// fake-upstream.ts. It answers POST /v1/messages (non-stream: a message JSON; stream: Anthropic's
// SSE events byte for byte as the real API frames them: `event:` line, compact JSON `data:` line,
// blank line, the `ping` with its space), POST /v1/messages/count_tokens and GET /v1/models. Like the
// real API it refuses a request without `anthropic-version` (400) or, when a key is set, with
// another key (401). It records what it received, headers included.
import { createFakeBook, scriptedStream, serveLoopback } from "./fake-book.ts";
import type { NetworkOptions } from "./network.ts";

/**
 * text: one text block. tools: a text block, then two parallel tool_use blocks whose input JSON
 * arrives split across deltas (stop_reason tool_use). thinking: a thinking block (thinking_delta,
 * signature_delta), then text. error_event: a stream whose `error` event (overloaded_error) comes
 * before any content. overloaded: HTTP 529. invalid_request: HTTP 400.
 */
export type AnthropicScenario = "text" | "tools" | "thinking" | "error_event" | "overloaded" | "invalid_request";

export interface AnthropicUsage {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
}

export interface AnthropicBehavior {
  scenario?: AnthropicScenario;
  headers?: Record<string, string>;
  delayMs?: number; // before response headers
  hang?: boolean; // never answer
  ttftMs?: number; // stream: delay after message_start, before the first content block
  resetAfter?: number; // stream: drop the connection after this many content_block_delta events
  holdBefore?: { delta: number; until: Promise<unknown> }; // stream: wait for the test before that delta
  usage?: Partial<AnthropicUsage>;
  network?: NetworkOptions | null; // stream delivery for this request (default: the fake's)
}

export const ANTHROPIC_TEXT = ["Hello", " from", " Claude."];
export const ANTHROPIC_TOOLS = [
  { id: "toolu_01A09q90qw90lq917835lq9", name: "get_weather", input: { location: "Paris, France", unit: "celsius" } },
  { id: "toolu_01B7pVmN3x5YqR2kLw8dTz4", name: "get_time", input: { timezone: "Europe/Paris" } },
];
export const ANTHROPIC_THINKING = { thinking: ["Let me think", " about this."], signature: "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds" };
const DEFAULT_USAGE: AnthropicUsage = { input: 25, output: 12, cacheRead: 10, cacheWrite: 5 };

type Block = { type: "text"; text: string[] } | { type: "tool_use"; id: string; name: string; json: string[] } | { type: "thinking"; thinking: string[]; signature: string };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** One SSE event as Anthropic frames it. */
const sse = (event: string, data: object) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
const PING = 'event: ping\ndata: {"type": "ping"}\n\n';
const errorBody = (type: string, message: string) => ({ type: "error", error: { type, message } });

/** A JSON text cut in pieces of about `n` characters, as the API streams a tool's input. */
function pieces(json: string, n = 9): string[] {
  const out = [""]; // the API's first input_json_delta is empty
  for (let i = 0; i < json.length; i += n) out.push(json.slice(i, i + n));
  return out;
}

function blocksOf(scenario: AnthropicScenario): { blocks: Block[]; stop: string } {
  if (scenario === "tools") {
    const tools = ANTHROPIC_TOOLS.map((t): Block => ({ type: "tool_use", id: t.id, name: t.name, json: pieces(JSON.stringify(t.input)) }));
    return { blocks: [{ type: "text", text: ["I'll check both."] }, ...tools], stop: "tool_use" };
  }
  if (scenario === "thinking") return { blocks: [{ type: "thinking", ...ANTHROPIC_THINKING }, { type: "text", text: ANTHROPIC_TEXT }], stop: "end_turn" };
  return { blocks: [{ type: "text", text: ANTHROPIC_TEXT }], stop: "end_turn" };
}

/** A block as the non-stream message carries it. */
function finished(b: Block): object {
  if (b.type === "text") return { type: "text", text: b.text.join("") };
  if (b.type === "thinking") return { type: "thinking", thinking: b.thinking.join(""), signature: b.signature };
  return { type: "tool_use", id: b.id, name: b.name, input: JSON.parse(b.json.join("")) };
}
/** A block as content_block_start opens it. */
function opened(b: Block): object {
  if (b.type === "text") return { type: "text", text: "" };
  if (b.type === "thinking") return { type: "thinking", thinking: "", signature: "" };
  return { type: "tool_use", id: b.id, name: b.name, input: {} };
}
function deltas(b: Block): object[] {
  if (b.type === "text") return b.text.map((text) => ({ type: "text_delta", text }));
  if (b.type === "thinking") return [...b.thinking.map((thinking) => ({ type: "thinking_delta", thinking })), { type: "signature_delta", signature: b.signature }];
  return b.json.map((partial_json) => ({ type: "input_json_delta", partial_json }));
}

const usageJson = (u: AnthropicUsage, output: number) => ({
  input_tokens: u.input,
  cache_creation_input_tokens: u.cacheWrite,
  cache_read_input_tokens: u.cacheRead,
  cache_creation: { ephemeral_5m_input_tokens: u.cacheWrite, ephemeral_1h_input_tokens: 0 },
  output_tokens: output,
  service_tier: "standard",
});

export const ANTHROPIC_MODELS = {
  data: [
    { type: "model", id: "claude-sonnet-4-5-20250929", display_name: "Claude Sonnet 4.5", created_at: "2025-09-29T00:00:00Z" },
    { type: "model", id: "claude-haiku-4-5-20251001", display_name: "Claude Haiku 4.5", created_at: "2025-10-01T00:00:00Z" },
  ],
  has_more: false,
  first_id: "claude-sonnet-4-5-20250929",
  last_id: "claude-haiku-4-5-20251001",
};

export async function startFakeAnthropic(name = "anthropic", opts: { key?: string } = {}) {
  const book = createFakeBook<AnthropicBehavior>();
  let seq = 0;

  function message(json: any, b: AnthropicBehavior, id: string): object {
    const { blocks, stop } = blocksOf(b.scenario ?? "text");
    const u = { ...DEFAULT_USAGE, ...b.usage };
    return { id, type: "message", role: "assistant", model: json?.model ?? "unknown", content: blocks.map(finished), stop_reason: stop, stop_sequence: null, usage: usageJson(u, u.output) };
  }

  function streamBody(json: any, b: AnthropicBehavior, id: string, net: NetworkOptions | null): ReadableStream<Uint8Array> {
    const { blocks, stop } = blocksOf(b.scenario ?? "text");
    const u = { ...DEFAULT_USAGE, ...b.usage };
    return scriptedStream(net, book.onAbort, async (w) => {
      const start = { id, type: "message", role: "assistant", model: json?.model ?? "unknown", content: [], stop_reason: null, stop_sequence: null, usage: usageJson(u, 1) };
      await w.send(sse("message_start", { type: "message_start", message: start }));
      if (b.scenario === "error_event") return w.send(sse("error", errorBody("overloaded_error", "Overloaded")));
      if (b.ttftMs) await sleep(b.ttftMs);
      let sent = 0;
      for (const [index, block] of blocks.entries()) {
        await w.send(sse("content_block_start", { type: "content_block_start", index, content_block: opened(block) }));
        if (index === 0) await w.send(PING);
        for (const delta of deltas(block)) {
          if (w.cancelled) return;
          if (b.holdBefore?.delta === sent) await b.holdBefore.until;
          if (b.resetAfter === sent) return w.reset();
          await w.send(sse("content_block_delta", { type: "content_block_delta", index, delta }));
          sent++;
        }
        await w.send(sse("content_block_stop", { type: "content_block_stop", index }));
      }
      const final = { input_tokens: u.input, cache_creation_input_tokens: u.cacheWrite, cache_read_input_tokens: u.cacheRead, output_tokens: u.output };
      await w.send(sse("message_delta", { type: "message_delta", delta: { stop_reason: stop, stop_sequence: null }, usage: final }));
      await w.send(sse("message_stop", { type: "message_stop" }));
      book.completed();
    });
  }

  function refusal(req: Request, url: URL): Response | null {
    const h = { "content-type": "application/json", "request-id": `req_${name}_${seq}` };
    // The key as `x-api-key` (what Route sends) or `Authorization: Bearer` (what @anthropic-ai/sdk 1.x sends).
    const key = req.headers.get("x-api-key") ?? req.headers.get("authorization")?.replace(/^Bearer /, "");
    if (opts.key !== undefined && key !== opts.key) return Response.json(errorBody("authentication_error", "invalid x-api-key"), { status: 401, headers: h });
    if (!req.headers.get("anthropic-version")) return Response.json(errorBody("invalid_request_error", "anthropic-version: header is required"), { status: 400, headers: h });
    if (url.pathname === "/v1/models" && req.method === "GET") return null;
    if (req.method !== "POST" || (url.pathname !== "/v1/messages" && url.pathname !== "/v1/messages/count_tokens")) {
      return Response.json(errorBody("not_found_error", `Not Found`), { status: 404, headers: h });
    }
    return null;
  }

  const server = serveLoopback(async (req) => {
    const url = new URL(req.url);
    const { json } = await book.record(req);
    seq++;
    const refused = refusal(req, url);
    if (refused) return refused;
    if (url.pathname === "/v1/models") return Response.json(ANTHROPIC_MODELS);
    if (url.pathname.endsWith("/count_tokens")) return Response.json({ input_tokens: DEFAULT_USAGE.input });

    const b = book.take();
    if (b.hang) return new Promise<Response>(() => {});
    if (b.delayMs) await sleep(b.delayMs);
    if (req.signal.aborted) return new Response(null, { status: 499 });
    const h = new Headers(b.headers);
    h.set("request-id", `req_${name}_${seq}`);
    if (b.scenario === "overloaded" || b.scenario === "invalid_request") {
      h.set("content-type", "application/json");
      const [status, body] = b.scenario === "overloaded" ? [529, errorBody("overloaded_error", "Overloaded")] : [400, errorBody("invalid_request_error", "messages: at least one message is required")];
      return new Response(JSON.stringify({ ...body, request_id: `req_${name}_${seq}` }), { status, headers: h });
    }
    const id = `msg_${name}_${seq}`;
    if (json?.stream === true) {
      h.set("content-type", "text/event-stream; charset=utf-8");
      h.set("cache-control", "no-cache");
      return new Response(streamBody(json, b, id, book.networkFor(b)), { headers: h });
    }
    book.completed();
    return Response.json(message(json, b, id), { headers: h });
  });

  // url: the endpoint to configure (`type: anthropic`, `endpoint: <url>`); next(): behaviours for the next /v1/messages requests.
  return Object.assign(book.controls, { name, url: `http://127.0.0.1:${server.port}/v1`, stop: () => server.stop(true) });
}

export type FakeAnthropic = Awaited<ReturnType<typeof startFakeAnthropic>>;
