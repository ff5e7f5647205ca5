// Responses-API clients on upstreams that speak only Chat Completions (`responses: false`) and on
// Anthropic upstreams: the official openai SDK (stream with finalResponse(), a function-calling
// round trip, a whole answer) and the AI SDK's responses model, through the real Route.
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { createOpenAI } from "@ai-sdk/openai";
import { streamText } from "ai";
import { ANTHROPIC_TEXT, startFakeAnthropic, type FakeAnthropic } from "./fake-anthropic.ts";
import type { FakeUpstream } from "./fake-upstream.ts";
import { CLIENT_KEY } from "./harness.ts";
import { e2eSuite, eachDelivery } from "./suite.ts";

const suite = e2eSuite("C");
let chatOnly: FakeUpstream;
let ant: FakeAnthropic;
beforeAll(async () => {
  [chatOnly] = suite.upstreams;
  ant = await startFakeAnthropic("A", { key: "sk-ant-key" });
});
afterAll(() => ant.stop());
afterEach(() => ant.reset()); // after: eachDelivery sets its delivery before each test

const route = () => suite.route([{ name: "chat-only", endpoint: chatOnly.url, responses: false }]);
const tools = [{ type: "function" as const, name: "get_weather", description: "weather", parameters: { type: "object", properties: {} }, strict: false }];

eachDelivery(() => [chatOnly, ant], () => {
  describe("Responses clients on a Chat Completions upstream", () => {
    test("a streamed response: the upstream gets a chat request; the SDK's finalResponse has the text and usage; the row has the reply", async () => {
      const r = await route();
      const stream = r.client.responses.stream({ model: "gpt-4o-mini", instructions: "be brief", input: "Hi" });
      const done = await stream.finalResponse();
      expect(done.output_text).toBe("w0 w1 w2 ");
      expect(done.status).toBe("completed");
      expect(done.usage).toMatchObject({ input_tokens: 5, output_tokens: 3 });
      const got = chatOnly.received.at(-1)!;
      expect(got.path).toBe("/v1/chat/completions");
      expect(got.json.messages).toEqual([{ role: "system", content: "be brief" }, { role: "user", content: "Hi" }]);
      await r.daemon.pipeline.idle();
      expect((await r.rows()).at(-1)).toMatchObject({ path: "/v1/responses", status: 200, replyText: "w0 w1 w2 ", promptTokens: 5, completionTokens: 3 });
    });

    test("function calling round trip: the call comes back as a function_call item; its output goes up as a tool message", async () => {
      const r = await route();
      chatOnly.next({ toolCall: { name: "get_weather", arguments: '{"location":"Paris"}' } } as any);
      const first = await r.client.responses.create({ model: "gpt-4o-mini", input: "weather in Paris?", tools });
      const call = first.output.find((o) => o.type === "function_call") as any;
      expect([call.name, JSON.parse(call.arguments)]).toEqual(["get_weather", { location: "Paris" }]);
      const second = await r.client.responses.create({
        model: "gpt-4o-mini",
        tools,
        input: [{ role: "user", content: "weather in Paris?" }, { type: "function_call", call_id: call.call_id, name: call.name, arguments: call.arguments }, { type: "function_call_output", call_id: call.call_id, output: "sunny" }],
      });
      expect(second.output_text).toBe("hello from C");
      const sent = chatOnly.received.at(-1)!.json.messages;
      expect(sent.at(-2)).toMatchObject({ role: "assistant", tool_calls: [{ id: call.call_id, function: { name: "get_weather" } }] });
      expect(sent.at(-1)).toEqual({ role: "tool", tool_call_id: call.call_id, content: "sunny" });
    });

    test("what needs server-side state is refused with 400 naming it, before any upstream is called", async () => {
      const r = await route();
      const before = chatOnly.received.length;
      const err = await r.client.responses.create({ model: "gpt-4o-mini", input: "Hi", previous_response_id: "resp_123" }).catch((e) => e);
      expect(err.status).toBe(400);
      expect(err.message).toContain("previous_response_id");
      expect(chatOnly.received.length).toBe(before);
    });

    test("a request the upstream's format cannot express spends none of its limits", async () => {
      const r = await suite.route([{ name: "chat-only", endpoint: chatOnly.url, responses: false, rpm: 1 }]);
      const err = await r.client.responses.create({ model: "gpt-4o-mini", input: "Hi", previous_response_id: "resp_123" }).catch((e) => e);
      expect(err.status).toBe(400);
      // The refused one did not count: the one request of this minute is still there.
      const ok = await r.client.responses.create({ model: "gpt-4o-mini", input: "Hi" });
      expect(ok.output_text.length).toBeGreaterThan(0);
    });

    test("the AI SDK's default responses model streams text through the translation", async () => {
      const r = await route();
      const provider = createOpenAI({ baseURL: `${r.url}/v1`, apiKey: CLIENT_KEY });
      const result = streamText({ model: provider.responses("gpt-4o-mini"), prompt: "hi", maxRetries: 0 });
      expect(await result.text).toBe("w0 w1 w2 ");
      expect((await result.usage).outputTokens).toBe(3);
    });
  });

  describe("Responses clients on an Anthropic upstream", () => {
    test("Responses → Chat → Messages: the text arrives as a Responses stream", async () => {
      const r = await suite.route([{ name: "claude", type: "anthropic", endpoint: ant.url, sk: "sk-ant-key" }]);
      const done = await r.client.responses.stream({ model: "claude-sonnet-4-6", input: "Hi", max_output_tokens: 100 }).finalResponse();
      expect(done.output_text).toBe(ANTHROPIC_TEXT.join(""));
      expect(ant.received.at(-1)!.json).toMatchObject({ model: "claude-sonnet-4-6", max_tokens: 100, stream: true });
    });
  });
});
