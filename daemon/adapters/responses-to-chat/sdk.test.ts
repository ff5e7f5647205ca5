// The translated answers as the official clients see them: the openai SDK's responses API (its own SSE
// parser and ResponseStream accumulator) and the Vercel AI SDK's responses model (its zod schemas).
import { describe, expect, test } from "bun:test";
import OpenAI from "openai";
import { createOpenAI } from "@ai-sdk/openai";
import { generateText, jsonSchema, streamText, tool } from "ai";
import { responsesToChat } from "./index.ts";

const read = (name: string) => Bun.file(`${import.meta.dir}/../fixtures/openai/${name}`).text();

/** The fixture through the translator, pushed event by event as the proxy does. */
async function translated(name: string): Promise<string> {
  const t = responsesToChat.stream({ model: "gpt-4o", includeUsage: false });
  return (await read(name)).split(/(?<=\n\n)/).map((e) => t.push(e)).join("") + t.end();
}

async function whole(name: string): Promise<string> {
  return JSON.stringify(responsesToChat.response(JSON.parse(await read(name)), { model: "gpt-4o" }));
}

const answering = (body: string, contentType: string) =>
  (async () => new Response(body, { headers: { "content-type": contentType } })) as unknown as typeof fetch;
const openaiClient = (body: string, type: string) =>
  new OpenAI({ apiKey: "test-key", baseURL: "http://127.0.0.1:9/v1", fetch: answering(body, type), maxRetries: 0 });
const aiModel = (body: string, type: string) =>
  createOpenAI({ apiKey: "test-key", baseURL: "http://127.0.0.1:9/v1", fetch: answering(body, type) }).responses("gpt-4o");

const aiTools = {
  get_weather: tool({ description: "weather", inputSchema: jsonSchema({ type: "object", properties: { location: { type: "string" } } }) }),
  get_time: tool({ description: "time", inputSchema: jsonSchema({ type: "object", properties: { timezone: { type: "string" } } }) }),
  read_file: tool({ description: "read", inputSchema: jsonSchema({ type: "object", properties: { path: { type: "string" } } }) }),
};

describe("openai SDK: responses.stream().finalResponse()", () => {
  const final = async (name: string) => openaiClient(await translated(name), "text/event-stream").responses.stream({ model: "gpt-4o", input: "Hi" }).finalResponse();
  const calls = (r: OpenAI.Responses.Response) => r.output.filter((o) => o.type === "function_call").map((o: any) => [o.call_id, o.name, JSON.parse(o.arguments)]);

  test("text and usage", async () => {
    const r = await final("text-stream.sse");
    expect(r.output_text).toBe("Hello! How can I help you today?");
    expect(r.status).toBe("completed");
    expect(r.usage).toMatchObject({ input_tokens: 1208, output_tokens: 10, input_tokens_details: { cached_tokens: 1152 } });
  });

  test("two parallel function calls with arguments split across deltas", async () => {
    const r = await final("parallel-tools-stream.sse");
    expect(calls(r)).toEqual([["call_3pQ9sWkLx2mVbN7cYtR0aZfE", "get_weather", { location: "Paris, France" }],
      ["call_Vb8nK1oQ4eJtX6sPdM2wLr9H", "get_time", { timezone: "Europe/Paris" }]]);
    expect(r.usage?.total_tokens).toBe(133);
  });

  test("tool calls without index, after text", async () => {
    const r = await final("no-index-tools-stream.sse");
    expect(r.output_text).toBe("Checking both files.");
    expect(calls(r)).toEqual([["call_m3k1x0ab", "read_file", { path: "a.ts" }], ["call_q8z2c4yd", "read_file", { path: "b.ts" }]]);
  });

  test("reasoning_content as a reasoning summary", async () => {
    const r = await final("reasoning-stream.sse");
    expect(r.output[0]).toMatchObject({ type: "reasoning", summary: [{ type: "summary_text", text: "The user asks 2+2." }] });
    expect(r.output_text).toBe("2 + 2 = 4.");
    expect(r.usage?.output_tokens_details.reasoning_tokens).toBe(49);
  });

  test("a broken stream rejects with Route's message", async () => {
    const t = responsesToChat.stream({ model: "gpt-4o", includeUsage: false });
    const sse = t.push('data: {"id":"c1","choices":[{"index":0,"delta":{"content":"Hel"},"finish_reason":null}]}\n\n') +
      t.fail("upstream_stalled", "the upstream stopped sending");
    await expect(openaiClient(sse, "text/event-stream").responses.stream({ model: "gpt-4o", input: "Hi" }).finalResponse())
      .rejects.toThrow("the upstream stopped sending");
  });

  test("whole answers through responses.create", async () => {
    const r = await openaiClient(await whole("tools.json"), "application/json").responses.create({ model: "gpt-4o", input: "Hi" });
    expect(r.output_text).toBe("Let me check both.");
    expect(calls(r).map((c) => c[1])).toEqual(["get_weather", "get_time"]);
    expect(r.usage?.input_tokens_details.cached_tokens).toBe(2048);
    const cut = await openaiClient(await whole("reasoning.json"), "application/json").responses.create({ model: "gpt-4o", input: "Hi" });
    expect([cut.status, cut.incomplete_details?.reason]).toEqual(["incomplete", "max_output_tokens"]);
  });
});

describe("AI SDK: the responses model", () => {
  test("streamText: text, usage, finish reason", async () => {
    const r = streamText({ model: aiModel(await translated("text-stream.sse"), "text/event-stream"), prompt: "Hi" });
    expect(await r.text).toBe("Hello! How can I help you today?");
    expect(await r.finishReason).toBe("stop");
    expect(await r.usage).toMatchObject({ inputTokens: 1208, outputTokens: 10, totalTokens: 1218 });
  });

  test("streamText: parallel tool calls", async () => {
    const r = streamText({ model: aiModel(await translated("parallel-tools-stream.sse"), "text/event-stream"), prompt: "Hi", tools: aiTools });
    expect((await r.toolCalls).map((c) => [c.toolCallId, c.toolName, c.input])).toEqual([
      ["call_3pQ9sWkLx2mVbN7cYtR0aZfE", "get_weather", { location: "Paris, France" }],
      ["call_Vb8nK1oQ4eJtX6sPdM2wLr9H", "get_time", { timezone: "Europe/Paris" }]]);
    expect(await r.finishReason).toBe("tool-calls");
  });

  test("streamText: reasoning then text", async () => {
    const r = streamText({ model: aiModel(await translated("reasoning-stream.sse"), "text/event-stream"), prompt: "Hi" });
    expect(await r.text).toBe("2 + 2 = 4.");
    expect(await r.reasoningText).toBe("The user asks 2+2.");
  });

  test("generateText on a whole answer", async () => {
    const r = await generateText({ model: aiModel(await whole("tools.json"), "application/json"), prompt: "Hi", tools: aiTools });
    expect(r.text).toBe("Let me check both.");
    expect(r.toolCalls.map((c) => c.toolName)).toEqual(["get_weather", "get_time"]);
    expect(r.finishReason).toBe("tool-calls");
    expect(r.usage).toMatchObject({ inputTokens: 2310, outputTokens: 52 });
  });
});

describe("what the SDKs send translates", () => {
  /** A fetch that keeps the request body and answers with a translated whole answer. */
  async function capture(run: (fetch: typeof globalThis.fetch) => Promise<unknown>): Promise<Record<string, unknown>> {
    let sent: Record<string, unknown> = {};
    const body = await whole("text.json");
    const fetch = (async (_url: string, init: RequestInit) => {
      sent = JSON.parse(String(init.body));
      return new Response(body, { headers: { "content-type": "application/json" } });
    }) as unknown as typeof globalThis.fetch;
    await run(fetch);
    return sent;
  }

  test("AI SDK: system, a tool round trip and tools", async () => {
    const sent = await capture((fetch) => generateText({
      model: createOpenAI({ apiKey: "k", baseURL: "http://127.0.0.1:9/v1", fetch }).responses("gpt-4o"),
      system: "Be brief.", tools: aiTools, maxOutputTokens: 100,
      providerOptions: { openai: { store: false } },
      messages: [{ role: "user", content: "Weather?" },
        { role: "assistant", content: [{ type: "tool-call", toolCallId: "call_1", toolName: "get_weather", input: { location: "Paris" } }] },
        { role: "tool", content: [{ type: "tool-result", toolCallId: "call_1", toolName: "get_weather", output: { type: "text", value: "18C" } }] }],
    }));
    const chat = responsesToChat.request(sent, { model: "up", stream: false });
    expect(chat.messages).toEqual([{ role: "system", content: "Be brief." }, { role: "user", content: "Weather?" },
      { role: "assistant", content: null, tool_calls: [{ id: "call_1", type: "function", function: { name: "get_weather", arguments: "{\"location\":\"Paris\"}" } }] },
      { role: "tool", tool_call_id: "call_1", content: "18C" }]);
    expect((chat.tools as unknown[]).length).toBe(3);
    expect(chat.max_tokens).toBe(100);
  });

  test("openai SDK: instructions, function tools, json schema output", async () => {
    const sent = await capture((fetch) => new OpenAI({ apiKey: "k", baseURL: "http://127.0.0.1:9/v1", fetch, maxRetries: 0 }).responses.create({
      model: "gpt-4o", instructions: "Answer in JSON.", input: [{ role: "user", content: [{ type: "input_text", text: "Hi" }] }],
      tools: [{ type: "function", name: "f", parameters: { type: "object", properties: {} }, strict: true }],
      text: { format: { type: "json_schema", name: "a", schema: { type: "object" }, strict: true } },
    }));
    expect(responsesToChat.request(sent, { model: "up", stream: false })).toMatchObject({
      messages: [{ role: "system", content: "Answer in JSON." }, { role: "user", content: "Hi" }],
      response_format: { type: "json_schema", json_schema: { name: "a", strict: true } } });
  });
});
