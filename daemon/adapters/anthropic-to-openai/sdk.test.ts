// The translated answers as the official Anthropic SDK sees them: its own SSE parser and MessageStream.
import { describe, expect, test } from "bun:test";
import Anthropic from "@anthropic-ai/sdk";
import { anthropicToOpenai } from "./index.ts";

const read = (name: string) => Bun.file(`${import.meta.dir}/../fixtures/openai/${name}`).text();
const params = { model: "route-alias", max_tokens: 1024, messages: [{ role: "user" as const, content: "Hi" }] };

function clientAnswering(body: string, contentType: string): Anthropic {
  const fetch = async () => new Response(body, { headers: { "content-type": contentType } });
  return new Anthropic({ apiKey: "test-key", baseURL: "http://127.0.0.1:9", fetch, maxRetries: 0 });
}

/** The fixture through the translator, pushed event by event as the proxy does. */
async function translated(name: string): Promise<string> {
  const t = anthropicToOpenai.stream({ model: "claude-sonnet-4-5", includeUsage: false });
  return (await read(name)).split(/(?<=\n\n)/).map((e) => t.push(e)).join("") + t.end();
}

const finalMessage = async (name: string) =>
  clientAnswering(await translated(name), "text/event-stream").messages.stream(params).finalMessage();

describe("@anthropic-ai/sdk reads the translated stream", () => {
  const tool = (id: string, name: string, input: unknown) => ({ type: "tool_use", id, name, input, caller: { type: "direct" } });
  const cases: [string, string, unknown[], string, Record<string, number>][] = [
    ["text, with usage from message_delta", "text-stream.sse",
      [{ type: "text", text: "Hello! How can I help you today?" }], "end_turn",
      { input_tokens: 56, output_tokens: 10, cache_read_input_tokens: 1152, cache_creation_input_tokens: 0 }],
    ["two parallel tool calls with inputs parsed", "parallel-tools-stream.sse",
      [tool("call_3pQ9sWkLx2mVbN7cYtR0aZfE", "get_weather", { location: "Paris, France" }),
        tool("call_Vb8nK1oQ4eJtX6sPdM2wLr9H", "get_time", { timezone: "Europe/Paris" })], "tool_use",
      { input_tokens: 84, output_tokens: 49 }],
    ["tool calls without index", "no-index-tools-stream.sse",
      [{ type: "text", text: "Checking both files." }, tool("call_m3k1x0ab", "read_file", { path: "a.ts" }),
        tool("call_q8z2c4yd", "read_file", { path: "b.ts" })], "tool_use",
      { input_tokens: 312, output_tokens: 41 }],
    ["reasoning_content as a thinking block", "reasoning-stream.sse",
      [{ type: "thinking", thinking: "The user asks 2+2.", signature: "" }, { type: "text", text: "2 + 2 = 4." }], "end_turn",
      { input_tokens: 19, output_tokens: 58 }],
  ];
  for (const [name, fixture, content, stop, usage] of cases) {
    test(name, async () => {
      const msg = await finalMessage(fixture);
      expect(msg.content as unknown[]).toEqual(content);
      expect(msg.stop_reason).toBe(stop as any);
      expect(msg.usage).toMatchObject(usage);
    });
  }

  test("a broken stream surfaces as the SDK's error with Route's message", async () => {
    const t = anthropicToOpenai.stream({ model: "claude-sonnet-4-5", includeUsage: false });
    const sse = t.push('data: {"id":"c1","choices":[{"index":0,"delta":{"content":"Hel"},"finish_reason":null}]}\n\n') +
      t.fail("upstream_stalled", "the upstream stopped sending");
    const stream = clientAnswering(sse, "text/event-stream").messages.stream(params);
    await expect(stream.finalMessage()).rejects.toThrow("the upstream stopped sending");
  });

  test("a whole answer through messages.create", async () => {
    const body = anthropicToOpenai.response(JSON.parse(await read("tools.json")), { model: "claude-sonnet-4-5" });
    const msg = await clientAnswering(JSON.stringify(body), "application/json").messages.create(params);
    expect(msg.content.map((b) => b.type)).toEqual(["text", "tool_use", "tool_use"]);
    expect(msg.usage.cache_read_input_tokens).toBe(2048);
  });
});
