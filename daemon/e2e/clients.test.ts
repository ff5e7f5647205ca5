// The real client libraries (openai, ai + @ai-sdk/openai, @langchain/openai) through Route, in
// front of an upstream that replays recorded OpenAI streams cut and paced like a real network.
// Each test has its own timeout: a stream that never ends fails instead of blocking the run.
import { createOpenAI } from "@ai-sdk/openai";
import type { AIMessageChunk } from "@langchain/core/messages";
import { ChatOpenAI } from "@langchain/openai";
import { jsonSchema, streamText, tool } from "ai";
import { beforeAll, describe, expect, test } from "bun:test";
import OpenAI from "openai";
import type { FakeUpstream } from "./fake-upstream.ts";
import { events, fixture, offsetOf, said, wholeBefore, type Fixture } from "./fixtures.ts";
import { CLIENT_KEY, chatBody, type Route } from "./harness.ts";
import { crlf, type Replay } from "./network.ts";
import { eachDelivery, e2eSuite, type RouteOptions } from "./suite.ts";

const T = 10_000;
const suite = e2eSuite("U");
let u: FakeUpstream;
beforeAll(() => void ([u] = suite.upstreams));

const REQUEST_ID = "req_5e0c1f9a7b3d42c68e1a0f4b9d2c7e35";
const OPENAI_HEADERS = { "x-request-id": REQUEST_ID, "openai-processing-ms": "231", "openai-version": "2020-10-01" };

/** Route in front of the fake, which answers the next request with `name` as recorded. */
async function replaying(name: Fixture, sse = fixture(name), cut?: Replay["cut"], opts: RouteOptions = {}) {
  const r = await suite.route([{ name: "u", endpoint: u.url }], opts);
  u.next({ headers: OPENAI_HEADERS, replay: { sse, cut } });
  return r;
}

const WEATHER = {
  type: "object" as const,
  properties: { city: { type: "string" as const }, unit: { type: "string" as const, enum: ["celsius", "fahrenheit"] } },
  required: ["city", "unit"],
  additionalProperties: false,
};
const aiTools = { get_weather: tool({ description: "Current weather in a city", inputSchema: jsonSchema<{ city: string; unit: string }>(WEATHER) }) };
const oaiTools = [{ type: "function" as const, function: { name: "get_weather", description: "Current weather in a city", parameters: WEATHER } }];

/** The request's log row, once Route has finished it (a client may stop reading at [DONE], before the upstream's end). */
async function lastRow(r: Route) {
  await r.daemon.pipeline.idle();
  return (await r.rows()).at(-1)!;
}

const named = (calls: { name: string; arguments: string }[]) => calls.map((c) => ({ name: c.name, arguments: c.arguments }));
/** A log row's tool calls as name + arguments, whether stored chat-style ({function}) or Responses-style. */
const rowCalls = (calls: unknown[] | null) => (calls ?? []).map((c: any) => ({ name: c.function?.name ?? c.name, arguments: c.function?.arguments ?? c.arguments }));

const aiProvider = (url: string) => createOpenAI({ baseURL: `${url}/v1`, apiKey: CLIENT_KEY });
const langchain = (url: string, useResponsesApi = false) =>
  new ChatOpenAI({ model: "gpt-4o-mini", apiKey: CLIENT_KEY, configuration: { baseURL: `${url}/v1` }, maxRetries: 0, useResponsesApi });

async function lcStream(model: { stream: (input: string) => Promise<AsyncIterable<AIMessageChunk>> }): Promise<AIMessageChunk> {
  let all: AIMessageChunk | undefined;
  for await (const c of await model.stream("weather?")) all = all ? all.concat(c) : c;
  return all!;
}

eachDelivery(() => [u], () => {
  describe("openai SDK", () => {
    test("chat stream, client did not ask for usage: the text as sent, then the end; no usage-only chunk; tokens logged", async () => {
      const r = await replaying("chat-usage.sse");
      const want = said(fixture("chat-usage.sse"));
      const chunks = [];
      for await (const c of await r.client.chat.completions.create(chatBody({ stream: true }))) chunks.push(c);
      expect(u.received.at(-1)!.json.stream_options).toEqual({ include_usage: true }); // Route asked on its own
      expect(chunks.map((c) => c.choices[0]?.delta?.content ?? "").join("")).toBe(want.text);
      expect(chunks.filter((c) => c.choices.length === 0)).toEqual([]);
      expect(chunks.at(-1)!.choices[0]!.finish_reason).toBe("stop");
      const row = (await lastRow(r));
      expect(row).toMatchObject({ status: 200, replyText: want.text, promptTokens: want.usage!.prompt, completionTokens: want.usage!.completion, tokensEstimated: false, errorCode: null });
    }, T);

    test("chat stream, client did not ask for usage: no chunk carries a usage key (usage: null hidden too)", async () => {
      const r = await replaying("chat-usage.sse");
      const chunks = [];
      for await (const c of await r.client.chat.completions.create(chatBody({ stream: true }))) chunks.push(c);
      expect(chunks.length).toBeGreaterThan(0);
      expect(chunks.filter((c) => "usage" in c)).toEqual([]);
    }, T);

    test("chat stream with include_usage: the usage-only chunk arrives with the upstream's counts", async () => {
      const r = await replaying("chat-usage.sse");
      const want = said(fixture("chat-usage.sse"));
      const chunks = [];
      for await (const c of await r.client.chat.completions.create(chatBody({ stream: true, stream_options: { include_usage: true } }))) chunks.push(c);
      expect(chunks.map((c) => c.choices[0]?.delta?.content ?? "").join("")).toBe(want.text);
      expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: want.usage!.prompt, completion_tokens: want.usage!.completion } });
    }, T);

    test("CRLF-framed chat stream: the text as sent", async () => {
      const r = await replaying("chat-usage.sse", crlf(fixture("chat-usage.sse")));
      let text = "";
      for await (const c of await r.client.chat.completions.create(chatBody({ stream: true }))) text += c.choices[0]?.delta?.content ?? "";
      expect(text).toBe(said(fixture("chat-usage.sse")).text);
    }, T);

    test("an upstream that ignores include_usage: text as sent, tokens counted locally", async () => {
      const r = await replaying("chat-content.sse");
      let text = "";
      for await (const c of await r.client.chat.completions.create(chatBody({ stream: true }))) text += c.choices[0]?.delta?.content ?? "";
      expect(text).toBe(said(fixture("chat-content.sse")).text);
      expect((await lastRow(r))).toMatchObject({ replyText: text, tokensEstimated: true });
    }, T);

    test("streamed parallel tool calls: assembled as sent, and in the log row", async () => {
      const r = await replaying("chat-tools.sse");
      const want = said(fixture("chat-tools.sse"));
      const s = r.client.chat.completions.stream(chatBody({ stream: true, tools: oaiTools }));
      const done = await s.finalChatCompletion();
      const calls = done.choices[0]!.message.tool_calls!.map((c) => (c.type === "function" ? { id: c.id, name: c.function.name, arguments: c.function.arguments } : null));
      expect(calls).toEqual(want.toolCalls);
      expect(done.choices[0]!.finish_reason).toBe("tool_calls");
      const row = (await lastRow(r));
      expect(rowCalls(row.toolCalls)).toEqual(named(want.toolCalls));
      expect(row).toMatchObject({ promptTokens: want.usage!.prompt, completionTokens: want.usage!.completion });
    }, T);

    test("responses stream: text and function call as sent; text and tokens in the log row", async () => {
      const r = await replaying("responses.sse");
      const want = said(fixture("responses.sse"));
      const s = r.client.responses.stream({ model: "gpt-4o-mini", input: "weather?", tools: [{ type: "function", name: "get_weather", parameters: WEATHER, strict: true }] });
      const done = await s.finalResponse();
      expect(done.output_text).toBe(want.text);
      const calls = done.output.flatMap((o) => (o.type === "function_call" ? [{ id: o.call_id, name: o.name, arguments: o.arguments }] : []));
      expect(calls).toEqual(want.toolCalls);
      const row = (await lastRow(r));
      expect(row).toMatchObject({ status: 200, replyText: want.text, promptTokens: want.usage!.prompt, completionTokens: want.usage!.completion, errorCode: null });
    }, T);

    test("responses stream: the function call is in the log row", async () => {
      const r = await replaying("responses.sse");
      const s = r.client.responses.stream({ model: "gpt-4o-mini", input: "weather?", tools: [{ type: "function", name: "get_weather", parameters: WEATHER, strict: true }] });
      await s.finalResponse();
      expect(rowCalls((await lastRow(r)).toolCalls)).toEqual(named(said(fixture("responses.sse")).toolCalls));
    }, T);
  });

  describe("ai + @ai-sdk/openai", () => {
    test("chat: streamText assembles the text and the usage", async () => {
      const r = await replaying("chat-usage.sse");
      const want = said(fixture("chat-usage.sse"));
      const result = streamText({ model: aiProvider(r.url).chat("gpt-4o-mini"), prompt: "hi", tools: aiTools, maxRetries: 0 });
      expect(await result.text).toBe(want.text);
      expect(await result.usage).toMatchObject({ inputTokens: want.usage!.prompt, outputTokens: want.usage!.completion });
      expect((await lastRow(r)).replyText).toBe(want.text);
    }, T);

    test("chat: streamText assembles the parallel tool calls", async () => {
      const r = await replaying("chat-tools.sse");
      const want = said(fixture("chat-tools.sse"));
      const result = streamText({ model: aiProvider(r.url).chat("gpt-4o-mini"), prompt: "weather?", tools: aiTools, maxRetries: 0 });
      const calls = (await result.toolCalls).map((c) => ({ id: c.toolCallId, name: c.toolName, arguments: JSON.stringify(c.input) }));
      expect(calls).toEqual(want.toolCalls);
      expect(await result.finishReason).toBe("tool-calls");
      expect(rowCalls((await lastRow(r)).toolCalls)).toEqual(named(want.toolCalls));
    }, T);

    test("responses: streamText assembles the text and the function call", async () => {
      const r = await replaying("responses.sse");
      const want = said(fixture("responses.sse"));
      const result = streamText({ model: aiProvider(r.url).responses("gpt-4o-mini"), prompt: "weather?", tools: aiTools, maxRetries: 0 });
      expect(await result.text).toBe(want.text);
      const calls = (await result.toolCalls).map((c) => ({ id: c.toolCallId, name: c.toolName, arguments: JSON.stringify(c.input) }));
      expect(calls).toEqual(want.toolCalls);
      expect(await result.usage).toMatchObject({ inputTokens: want.usage!.prompt, outputTokens: want.usage!.completion });
      expect((await lastRow(r)).replyText).toBe(want.text);
    }, T);
  });

  describe("@langchain/openai", () => {
    test("chat: .stream() assembles the text and the usage", async () => {
      const r = await replaying("chat-usage.sse");
      const want = said(fixture("chat-usage.sse"));
      const msg = await lcStream(langchain(r.url));
      expect(msg.text).toBe(want.text);
      expect(msg.usage_metadata).toMatchObject({ input_tokens: want.usage!.prompt, output_tokens: want.usage!.completion });
      expect((await lastRow(r)).replyText).toBe(want.text);
    }, T);

    test("chat: a bound tool, .stream() assembles the parallel tool calls", async () => {
      const r = await replaying("chat-tools.sse");
      const want = said(fixture("chat-tools.sse"));
      const msg = await lcStream(langchain(r.url).bindTools(oaiTools));
      expect(msg.tool_calls!.map((c) => ({ id: c.id, name: c.name, arguments: JSON.stringify(c.args) }))).toEqual(want.toolCalls);
    }, T);

    test("responses (useResponsesApi): .stream() assembles the text and the function call", async () => {
      const r = await replaying("responses.sse");
      const want = said(fixture("responses.sse"));
      const msg = await lcStream(langchain(r.url, true).bindTools(oaiTools));
      expect(u.received.at(-1)!.path).toBe("/v1/responses");
      expect(msg.text).toBe(want.text);
      expect(msg.tool_calls!.map((c) => ({ id: c.id, name: c.name, arguments: JSON.stringify(c.args) }))).toEqual(want.toolCalls);
    }, T);
  });

  describe("upstream fails after commit", () => {
    /** A replay of `name` cut (reset) at `needle`, once the test calls `release` (the client has seen content). */
    async function cutAt(name: Fixture, needle: string) {
      const sse = fixture(name);
      const at = offsetOf(sse, needle);
      let release!: () => void;
      const r = await replaying(name, sse, { at, how: "reset", until: new Promise<void>((res) => (release = res)) });
      return { r, release, before: wholeBefore(sse, at) };
    }

    test("chat: the client gets what arrived, then the chat-style error event", async () => {
      const { r, release, before } = await cutAt("chat-usage.sse", '"content":" 你好"'); // mid-event, mid-stream
      let text = "";
      const err = await (async () => {
        for await (const c of await r.client.chat.completions.create(chatBody({ stream: true }))) {
          text += c.choices[0]?.delta?.content ?? "";
          release();
        }
      })().catch((e) => e);
      expect(err).toBeInstanceOf(OpenAI.APIError);
      expect(err.message).toContain("upstream connection lost mid-stream");
      expect(text).toBe(said(before).text); // every whole event before the cut
      expect(await lastRow(r)).toMatchObject({ status: 200, errorCode: "upstream_reset", replyText: text });
    }, T);

    test("chat: an upstream that goes silent mid-event ends with upstream_stall after what arrived", async () => {
      const sse = fixture("chat-usage.sse");
      const at = offsetOf(sse, '"content":"世界"');
      const r = await replaying("chat-usage.sse", sse, { at, how: "stall" }, { config: { stall_timeout: "300ms" } });
      const aborted = u.nextAbort();
      let text = "";
      const err = await (async () => {
        for await (const c of await r.client.chat.completions.create(chatBody({ stream: true }))) text += c.choices[0]?.delta?.content ?? "";
      })().catch((e) => e);
      expect(err).toBeInstanceOf(OpenAI.APIError);
      expect(err.message).toContain("upstream sent nothing for 300 ms");
      expect(text).toBe(said(wholeBefore(sse, at)).text);
      await aborted; // the silent upstream request is cancelled
      expect(await lastRow(r)).toMatchObject({ errorCode: "upstream_stall", replyText: text });
    }, T);

    test("responses: the client gets a Responses-shaped error event (event: error or response.failed)", async () => {
      const { r, release, before } = await cutAt("responses.sse", "event: response.output_text.done");
      const res = await r.post("/v1/responses", { model: "gpt-4o-mini", input: "weather?", stream: true });
      const reader = res.body!.getReader();
      let body = "";
      for (let c = await reader.read(); !c.done; c = await reader.read()) {
        body += new TextDecoder().decode(c.value, { stream: true });
        if (body.includes("response.output_text.delta")) release();
      }
      const got = events(body);
      expect(got.slice(0, -1)).toEqual(events(before));
      const last = got.at(-1)!;
      const shaped =
        (last.event === "error" && last.data.type === "error" && typeof last.data.code === "string" && typeof last.data.message === "string") ||
        (last.event === "response.failed" && last.data.type === "response.failed" && typeof last.data.response?.error?.message === "string");
      expect({ shaped, last }).toMatchObject({ shaped: true });
    }, T);

    test("responses: the AI SDK reports the upstream's failure, not a type validation error", async () => {
      const { r, release, before } = await cutAt("responses.sse", "event: response.output_text.done");
      const result = streamText({ model: aiProvider(r.url).responses("gpt-4o-mini"), prompt: "weather?", maxRetries: 0, onError: () => {} });
      const errors: string[] = [];
      let text = "";
      for await (const part of result.fullStream) {
        if (part.type === "error") errors.push(String((part.error as Error)?.message ?? part.error));
        if (part.type === "text-delta") {
          text += part.text;
          release();
        }
      }
      expect(text).toBe(said(before).text);
      expect(errors.join("\n")).not.toContain("Type validation failed");
      expect(errors.join("\n")).toContain("upstream connection lost mid-stream");
    }, T);
  });
});

describe("upstream request id", () => {
  test("the upstream's x-request-id comes back as x-upstream-request-id and is in the log row", async () => {
    const r = await replaying("chat-usage.sse");
    const res = await r.post("/v1/chat/completions", chatBody({ stream: true }));
    await res.text();
    expect(res.headers.get("x-upstream-request-id")).toBe(REQUEST_ID);
    expect((await lastRow(r)).upstreamRequestId).toBe(REQUEST_ID);
  }, T);
});
