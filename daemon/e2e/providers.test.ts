// Anthropic and Gemini upstreams, and Anthropic-format clients, through the real Route with the
// official clients: the openai SDK against an Anthropic upstream (translated), the Anthropic SDK
// against /v1/messages on an Anthropic upstream (passed through) and on an OpenAI one (translated),
// failover across types, and a Gemini upstream's thought signature carried through.
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { ANTHROPIC_TEXT, ANTHROPIC_TOOLS, startFakeAnthropic, type FakeAnthropic } from "./fake-anthropic.ts";
import type { FakeUpstream } from "./fake-upstream.ts";
import { CLIENT_KEY, chatBody, type Route } from "./harness.ts";
import { e2eSuite, eachDelivery } from "./suite.ts";

const ANT_KEY = "sk-ant-upstream-secret-0042";
const suite = e2eSuite("O");
let openaiUp: FakeUpstream;
let ant: FakeAnthropic;
beforeAll(async () => {
  [openaiUp] = suite.upstreams;
  ant = await startFakeAnthropic("A", { key: ANT_KEY });
});
afterAll(() => ant.stop());
afterEach(() => ant.reset()); // after: eachDelivery sets its delivery before each test

const anthropicUp = () => ({ name: "claude", type: "anthropic", endpoint: ant.url, sk: ANT_KEY });
const anthropicClient = (r: Route) => new Anthropic({ apiKey: CLIENT_KEY, baseURL: r.url, maxRetries: 0 });
const ask = { model: "claude-sonnet-4-6", max_tokens: 256, messages: [{ role: "user" as const, content: "Hi" }] };
const tools = [{ type: "function" as const, function: { name: "get_weather", description: "weather", parameters: { type: "object", properties: {} } } }];

eachDelivery(() => [openaiUp, ant], () => {
  describe("OpenAI clients on an Anthropic upstream", () => {
    test("non-stream: translated both ways; the upstream got Anthropic's request with its own key; the row has text and the cache split", async () => {
      const r = await suite.route([anthropicUp()]);
      const reply = await r.client.chat.completions.create(chatBody({ model: "claude-sonnet-4-6", messages: [{ role: "system", content: "be brief" }, { role: "user", content: "Hi" }] }));
      expect(reply.choices[0]!.message.content).toBe(ANTHROPIC_TEXT.join(""));
      expect(reply.choices[0]!.finish_reason).toBe("stop");
      expect(reply.usage).toMatchObject({ prompt_tokens: 40, completion_tokens: 12, prompt_tokens_details: { cached_tokens: 10 } });
      const got = ant.received.at(-1)!;
      expect(got.path).toBe("/v1/messages");
      expect(got.headers["x-api-key"]).toBe(ANT_KEY);
      expect(got.headers.authorization).toBeUndefined();
      expect(got.headers["anthropic-version"]).toBe("2023-06-01");
      expect(got.json).toMatchObject({ model: "claude-sonnet-4-6", system: expect.anything(), messages: [{ role: "user" }] });
      const row = (await r.rows()).at(-1)!;
      expect(row).toMatchObject({ status: 200, replyText: ANTHROPIC_TEXT.join(""), promptTokens: 40, completionTokens: 12, cachedTokens: 10, cacheWriteTokens: 5 });
    });

    test("stream with parallel tool calls: the SDK reassembles both (running indexes), usage when asked, [DONE]", async () => {
      ant.next({ scenario: "tools" });
      const r = await suite.route([anthropicUp()]);
      const stream = r.client.chat.completions.stream({ ...chatBody({ model: "claude-sonnet-4-6" }), tools, stream_options: { include_usage: true } });
      const done = await stream.finalChatCompletion();
      const calls = done.choices[0]!.message.tool_calls!.map((c: any) => ({ id: c.id, name: c.function.name, input: JSON.parse(c.function.arguments) }));
      expect(calls).toEqual(ANTHROPIC_TOOLS);
      expect(done.choices[0]!.finish_reason).toBe("tool_calls");
      await r.daemon.pipeline.idle();
      const row = (await r.rows()).at(-1)!;
      expect(row.toolCalls).toEqual(ANTHROPIC_TOOLS.map((t) => ({ type: "tool_use", ...t })));
      expect(row.errorCode).toBeNull();
    });

    test("an overloaded Anthropic upstream (529, or an error event before content) fails over to an OpenAI one serving the same alias", async () => {
      ant.next({ scenario: "overloaded" }, { scenario: "error_event" });
      const r = await suite.route([
        { ...anthropicUp(), model_mapping: { smart: "claude-sonnet-4-6" } },
        { name: "gpt", endpoint: openaiUp.url, model_mapping: { smart: "gpt-4o" } },
      ]);
      const plain = await r.post("/v1/chat/completions", chatBody({ model: "smart" }));
      expect(plain.headers.get("x-route-attempts")).toBe("claude=http_5xx, gpt=ok");
      const s = await r.client.chat.completions.create(chatBody({ model: "smart", stream: true }));
      let text = "";
      for await (const c of s) text += c.choices[0]?.delta?.content ?? "";
      expect(text).toBe("w0 w1 w2 ");
      expect(openaiUp.received.map((x) => x.json.model)).toEqual(["gpt-4o", "gpt-4o"]);
    });
  });

  describe("Anthropic clients on /v1/messages", () => {
    test("to an Anthropic upstream: passed through (body, version and betas kept), streamed tool use reassembled by the SDK, logged", async () => {
      ant.next({ scenario: "tools" });
      const r = await suite.route([anthropicUp()]);
      const body = { ...ask, tools: [{ name: "get_weather", input_schema: { type: "object" as const, properties: {} } }] };
      const msg = await anthropicClient(r).messages.stream(body, { headers: { "anthropic-beta": "prompt-caching-2024-07-31" } }).finalMessage();
      expect(msg.content.filter((b) => b.type === "tool_use").map((b: any) => ({ id: b.id, name: b.name, input: b.input }))).toEqual(ANTHROPIC_TOOLS);
      expect(msg.stop_reason).toBe("tool_use");
      const got = ant.received.at(-1)!;
      expect(got.json).toEqual({ ...body, stream: true });
      expect(got.headers["anthropic-beta"]).toBe("prompt-caching-2024-07-31");
      expect(got.headers["x-api-key"]).toBe(ANT_KEY);
      await r.daemon.pipeline.idle();
      const row = (await r.rows()).at(-1)!;
      expect(row).toMatchObject({ path: "/v1/messages", status: 200, promptTokens: 40, completionTokens: 12 });
      expect(row.toolCalls).toHaveLength(2);
    });

    test("to an OpenAI upstream: translated both ways, stream and whole answers", async () => {
      const r = await suite.route([{ name: "gpt", endpoint: openaiUp.url }]);
      const c = anthropicClient(r);
      const whole = await c.messages.create({ ...ask, model: "gpt-4o-mini" });
      expect(whole.content).toEqual([{ type: "text", text: "hello from O" }] as any);
      expect(openaiUp.received.at(-1)!.path).toBe("/v1/chat/completions");
      const streamed = await c.messages.stream({ ...ask, model: "gpt-4o-mini" }).finalMessage();
      expect(streamed.content.map((b: any) => b.text).join("")).toBe("w0 w1 w2 ");
      expect(streamed.stop_reason).toBe("end_turn");
      expect(openaiUp.received.at(-1)!.headers["anthropic-version"]).toBeUndefined();
      await r.daemon.pipeline.idle();
      expect((await r.rows()).at(-1)).toMatchObject({ path: "/v1/messages", replyText: "w0 w1 w2 " });
    });

    test("to an OpenAI upstream: a streamed tool call comes back as a tool_use block the SDK parses", async () => {
      const r = await suite.route([{ name: "gpt", endpoint: openaiUp.url }]);
      openaiUp.next({ toolCall: { name: "get_weather", arguments: '{"location":"Paris"}' } } as any);
      const body = { ...ask, model: "gpt-4o-mini", tools: [{ name: "get_weather", input_schema: { type: "object" as const, properties: {} } }] };
      const msg = await anthropicClient(r).messages.stream(body).finalMessage();
      expect(msg.content.filter((b) => b.type === "tool_use").map((b: any) => [b.name, b.input])).toEqual([["get_weather", { location: "Paris" }]]);
      expect(msg.stop_reason).toBe("tool_use");
      expect(openaiUp.received.at(-1)!.json.tools[0]).toMatchObject({ type: "function", function: { name: "get_weather" } });
    });

    test("Route's own errors reach Anthropic clients in Anthropic's shape; the key may come as x-api-key", async () => {
      const r = await suite.route([{ name: "gpt", endpoint: openaiUp.url }]);
      const bad = new Anthropic({ apiKey: "wrong-key", baseURL: r.url, maxRetries: 0 });
      const err = await bad.messages.create(ask).catch((e) => e);
      expect(err).toBeInstanceOf(Anthropic.AuthenticationError);
      expect(err.error).toMatchObject({ type: "error", error: { type: "authentication_error" } });
      const viaHeader = await fetch(`${r.url}/v1/messages`, { method: "POST", headers: { "x-api-key": CLIENT_KEY, "content-type": "application/json", "anthropic-version": "2023-06-01" }, body: JSON.stringify({ ...ask, model: "gpt-4o-mini" }) });
      expect(viaHeader.status).toBe(200);
      const counted = await fetch(`${r.url}/v1/messages/count_tokens`, { method: "POST", headers: { "x-api-key": CLIENT_KEY, "content-type": "application/json" }, body: JSON.stringify({ model: "gpt-4o-mini", messages: ask.messages }) });
      expect(((await counted.json()) as { input_tokens: number }).input_tokens).toBeGreaterThan(0);
    });
  });

  describe("Gemini upstreams", () => {
    test("type gemini: the key in x-goog-api-key, never in the URL; a tool call's thought signature reaches the client", async () => {
      const r = await suite.route([{ name: "gem", type: "gemini", endpoint: openaiUp.url, sk: "AIza-gemini-secret" }]);
      openaiUp.next({ toolCall: { name: "get_weather", arguments: "{}", thoughtSignature: "sig-123" } } as any);
      const reply: any = await r.client.chat.completions.create(chatBody({ model: "gemini-2.5-flash", tools }));
      expect(reply.choices[0].message.tool_calls[0].extra_content).toEqual({ google: { thought_signature: "sig-123" } });
      const got = openaiUp.received.at(-1)!;
      expect(got.headers["x-goog-api-key"]).toBe("AIza-gemini-secret");
      expect(got.headers.authorization).toBeUndefined();
      expect(got.search).not.toContain("AIza");
    });
  });
});
