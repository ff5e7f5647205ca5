// The fakes themselves: fake-anthropic.ts must speak Anthropic's wire format well enough that the
// official @anthropic-ai/sdk reassembles its streams (burst and network-split alike), and
// fake-upstream.ts's Gemini-style tool call must carry its thought signature.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { ANTHROPIC_MODELS, ANTHROPIC_THINKING, ANTHROPIC_TOOLS, startFakeAnthropic, type FakeAnthropic } from "./fake-anthropic.ts";
import { startFakeUpstream, type FakeUpstream } from "./fake-upstream.ts";
import { RUN_SEED, testNetwork } from "./network.ts";

const KEY = "sk-ant-fake-key-0001";
let fake: FakeAnthropic;
let gemini: FakeUpstream;
const client = () => new Anthropic({ apiKey: KEY, baseURL: fake.url.replace(/\/v1$/, ""), maxRetries: 0 });
const ask = { model: "claude-sonnet-4-6", max_tokens: 256, messages: [{ role: "user" as const, content: "Hi" }] };

beforeAll(async () => {
  fake = await startFakeAnthropic("A", { key: KEY });
  gemini = await startFakeUpstream("G");
});
afterAll(() => {
  fake.stop();
  gemini.stop();
});

async function rejection(p: Promise<unknown>): Promise<any> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error("expected a rejection");
}

describe(`fake Anthropic upstream (network seed ${RUN_SEED})`, () => {
  test("stream of text: the SDK's finalMessage has the text, stop reason and cache usage; the request carried key and version", async () => {
    fake.reset();
    const msg = await client().messages.stream(ask).finalMessage();
    expect(msg.content).toEqual([{ type: "text", text: "Hello from Claude." }] as any);
    expect(msg.stop_reason).toBe("end_turn");
    expect(msg.usage).toMatchObject({ input_tokens: 25, output_tokens: 12, cache_read_input_tokens: 10, cache_creation_input_tokens: 5 });
    const r = fake.received[0]!;
    expect([r.method, r.path, r.json.stream]).toEqual(["POST", "/v1/messages", true]);
    // @anthropic-ai/sdk 1.x sends its key as a Bearer token and API version 2026-10-21.
    expect(r.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(r.headers["anthropic-version"]).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  test("parallel tool use split by the network: two tool_use blocks with their whole inputs", async () => {
    fake.reset();
    fake.network(testNetwork());
    fake.next({ scenario: "tools", usage: { cacheRead: 0, cacheWrite: 0 } });
    const msg = await client().messages.stream(ask).finalMessage();
    expect(msg.stop_reason).toBe("tool_use");
    expect(msg.content.map((b) => b.type)).toEqual(["text", "tool_use", "tool_use"]);
    expect(msg.content.slice(1)).toMatchObject(ANTHROPIC_TOOLS.map((t) => ({ type: "tool_use", ...t })));
    expect(msg.usage).toMatchObject({ cache_read_input_tokens: 0, cache_creation_input_tokens: 0 });
  });

  test("thinking with its signature, then text; non-stream answers the same message", async () => {
    fake.reset();
    fake.next({ scenario: "thinking" }, { scenario: "thinking" });
    const streamed = await client().messages.stream(ask).finalMessage();
    const thinking = { type: "thinking", thinking: ANTHROPIC_THINKING.thinking.join(""), signature: ANTHROPIC_THINKING.signature };
    expect(streamed.content).toEqual([thinking, { type: "text", text: "Hello from Claude." }] as any);
    const whole = await client().messages.create(ask);
    expect(whole.content).toEqual(streamed.content);
    expect(whole.usage).toEqual(streamed.usage);
  });

  test("the bytes are Anthropic's framing: event and data lines, the ping with its space, message_delta with cache usage", async () => {
    fake.reset();
    const res = await fetch(`${fake.url}/messages`, {
      method: "POST",
      headers: { "x-api-key": KEY, "anthropic-version": "2023-06-01", "content-type": "application/json" },
      body: JSON.stringify({ ...ask, stream: true }),
    });
    expect(res.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    const text = await res.text();
    const events = text.split("\n\n").filter(Boolean);
    expect(events.map((e) => e.split("\n")[0])).toEqual([
      "event: message_start",
      "event: content_block_start",
      "event: ping",
      "event: content_block_delta",
      "event: content_block_delta",
      "event: content_block_delta",
      "event: content_block_stop",
      "event: message_delta",
      "event: message_stop",
    ]);
    expect(events[2]).toBe('event: ping\ndata: {"type": "ping"}');
    expect(events[3]).toBe('event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello"}}');
    expect(events[7]).toBe(
      'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"input_tokens":25,"cache_creation_input_tokens":5,"cache_read_input_tokens":10,"output_tokens":12}}',
    );
    expect(events[8]).toBe('event: message_stop\ndata: {"type":"message_stop"}');
    expect(text.endsWith("\n\n")).toBe(true);
  });

  test("errors: an overloaded error event before content, 529, 400, a mid-stream reset", async () => {
    fake.reset();
    fake.next({ scenario: "error_event" }, { scenario: "overloaded" }, { scenario: "invalid_request" }, { resetAfter: 1 });
    const completed = fake.completed;
    const event = await rejection(client().messages.stream(ask).finalMessage());
    expect(event).toBeInstanceOf(Anthropic.APIError);
    expect(event.error).toEqual({ type: "error", error: { type: "overloaded_error", message: "Overloaded" } });
    const overloaded = await rejection(client().messages.create(ask));
    expect([overloaded.status, overloaded.error.error.type]).toEqual([529, "overloaded_error"]);
    const invalid = await rejection(client().messages.create(ask));
    expect(invalid).toBeInstanceOf(Anthropic.BadRequestError);
    expect(invalid.error.error.type).toBe("invalid_request_error");
    const reset = await rejection(client().messages.stream(ask).finalMessage());
    expect(reset).toBeInstanceOf(Error);
    expect(fake.completed).toBe(completed);
  });

  test("refuses like the API: a wrong key (401), no anthropic-version (400); lists models", async () => {
    fake.reset();
    const wrongKey = await rejection(new Anthropic({ apiKey: "sk-ant-other", baseURL: fake.url.replace(/\/v1$/, ""), maxRetries: 0 }).messages.create(ask));
    expect([wrongKey.status, wrongKey.error.error.type]).toEqual([401, "authentication_error"]);
    const noVersion = await fetch(`${fake.url}/messages`, { method: "POST", headers: { "x-api-key": KEY }, body: JSON.stringify(ask) });
    expect(noVersion.status).toBe(400);
    expect(((await noVersion.json()) as any).error.type).toBe("invalid_request_error");
    const models = await client().models.list();
    expect(models.data.map((m) => m.id)).toEqual(ANTHROPIC_MODELS.data.map((m) => m.id));
  });
});

describe("fake OpenAI-style upstream: Gemini's tool call with its thought signature", () => {
  const openai = () => new OpenAI({ apiKey: "k", baseURL: gemini.url, maxRetries: 0 });
  const body = { model: "gemini-3-pro-preview", messages: [{ role: "user" as const, content: "weather?" }] };

  test("non-stream and stream carry extra_content.google.thought_signature on the call", async () => {
    gemini.next({ toolCall: { thoughtSignature: "sig-A" } }, { toolCall: { thoughtSignature: "sig-B" } });
    const whole = await openai().chat.completions.create(body);
    expect(whole.choices[0]!.finish_reason).toBe("tool_calls");
    expect(whole.choices[0]!.message.tool_calls![0]).toMatchObject({ type: "function", function: { name: "get_weather" }, extra_content: { google: { thought_signature: "sig-A" } } });
    const stream = await openai().chat.completions.create({ ...body, stream: true });
    const deltas: any[] = [];
    let finish: string | null = null;
    for await (const c of stream) {
      deltas.push(...(c.choices[0]?.delta.tool_calls ?? []));
      finish = c.choices[0]?.finish_reason ?? finish;
    }
    expect(deltas).toEqual([{ index: 0, id: "function-call-G", type: "function", function: { name: "get_weather", arguments: '{"location":"Paris"}' }, extra_content: { google: { thought_signature: "sig-B" } } }]);
    expect(finish).toBe("tool_calls");
  });
});
