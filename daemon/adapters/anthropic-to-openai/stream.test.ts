import { describe, expect, test } from "bun:test";
import { anthropicToOpenai } from "./index.ts";

const FIXTURES = ["text-stream.sse", "parallel-tools-stream.sse", "no-index-tools-stream.sse", "reasoning-stream.sse"];
const read = (name: string) => Bun.file(`${import.meta.dir}/../fixtures/openai/${name}`).text();
const translator = () => anthropicToOpenai.stream({ model: "claude-sonnet-4-5", includeUsage: false });

/** Each Anthropic event as {event, data}; checks the `event:` line names the data's type. */
export function events(sse: string): { event: string; data: Record<string, any> }[] {
  return sse.split("\n\n").filter(Boolean).map((block) => {
    const [e, d] = block.split("\n");
    const event = e!.slice("event: ".length);
    const data = JSON.parse(d!.slice("data: ".length));
    expect(data.type).toBe(event);
    return { event, data };
  });
}

const whole = (input: string) => { const t = translator(); return t.push(input) + t.end(); };

describe("openai chunks → anthropic events", () => {
  for (const name of FIXTURES) {
    test(`${name}: split at every event boundary, or anywhere, gives the same output`, async () => {
      const input = await read(name);
      const want = whole(input);
      const t = translator();
      const parts = input.split(/(?<=\n\n)/);
      expect(parts.length).toBeGreaterThan(4);
      expect(parts.map((p) => t.push(p)).join("") + t.end()).toBe(want);
      for (let i = 1; i < input.length; i += 97) {
        const u = translator();
        expect(u.push(input.slice(0, i)) + u.push(input.slice(i)) + u.end()).toBe(want);
      }
    });
  }

  test("text: the exact event sequence, usage on message_delta", async () => {
    const out = events(whole(await read("text-stream.sse")));
    expect(out.map((e) => e.event)).toEqual(["message_start", "content_block_start",
      ...Array(9).fill("content_block_delta"), "content_block_stop", "message_delta", "message_stop"]);
    expect(out[0]!.data.message).toMatchObject({ id: "msg_chatcmpl-CHx2Vq8uYl3Jb0TqRk5mWzNpA1sD4", model: "claude-sonnet-4-5", content: [] });
    expect(out[1]!.data).toEqual({ type: "content_block_start", index: 0, content_block: { type: "text", text: "" } });
    expect(out.at(-2)!.data).toEqual({ type: "message_delta", delta: { stop_reason: "end_turn", stop_sequence: null },
      usage: { input_tokens: 56, output_tokens: 10, cache_creation_input_tokens: 0, cache_read_input_tokens: 1152 } });
  });

  test("parallel tool calls: one block each, indexes 0 and 1, arguments as input_json_delta", async () => {
    const out = events(whole(await read("parallel-tools-stream.sse")));
    const starts = out.filter((e) => e.event === "content_block_start").map((e) => e.data);
    expect(starts).toEqual([
      { type: "content_block_start", index: 0, content_block: { type: "tool_use", id: "call_3pQ9sWkLx2mVbN7cYtR0aZfE", name: "get_weather", input: {}, caller: { type: "direct" } } },
      { type: "content_block_start", index: 1, content_block: { type: "tool_use", id: "call_Vb8nK1oQ4eJtX6sPdM2wLr9H", name: "get_time", input: {}, caller: { type: "direct" } } },
    ]);
    const json = (i: number) => out.filter((e) => e.event === "content_block_delta" && e.data.index === i).map((e) => e.data.delta.partial_json).join("");
    expect(JSON.parse(json(0))).toEqual({ location: "Paris, France" });
    expect(JSON.parse(json(1))).toEqual({ timezone: "Europe/Paris" });
    // Each block stops before the next starts.
    expect(out.map((e) => `${e.event}:${e.data.index ?? ""}`).filter((s) => /^content_block_(start|stop)/.test(s)))
      .toEqual(["content_block_start:0", "content_block_stop:0", "content_block_start:1", "content_block_stop:1"]);
    expect(out.at(-2)!.data.delta.stop_reason).toBe("tool_use");
  });

  test("message_delta waits for the usage-only chunk after the finish chunk", async () => {
    const parts = (await read("text-stream.sse")).split(/(?<=\n\n)/);
    const t = translator();
    const beforeUsage = parts.slice(0, -2).map((p) => t.push(p)).join("");
    expect(beforeUsage).toContain("content_block_stop");
    expect(beforeUsage).not.toContain("message_delta");
    const rest = t.push(parts.at(-2)!);
    expect(events(rest).map((e) => e.event)).toEqual(["message_delta", "message_stop"]);
    expect(t.push(parts.at(-1)!) + t.end()).toBe("");
  });

  test("no usage at all: message_delta at [DONE] with output_tokens 0", () => {
    const t = translator();
    const out = events(t.push('data: {"id":"c1","choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n'));
    expect(out.at(-2)!.data).toEqual({ type: "message_delta", delta: { stop_reason: "end_turn", stop_sequence: null }, usage: { output_tokens: 0 } });
    expect(out.at(-1)!.event).toBe("message_stop");
  });

  test("end() without a finish_reason invents nothing; fail() is an Anthropic error event, then nothing", () => {
    const t = translator();
    const started = t.push('data: {"id":"c1","choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}]}\n\n');
    expect(started).toContain("text_delta");
    expect(t.end()).toBe("");
    const err = t.fail("upstream_stalled", "the upstream stopped sending");
    expect(err).toBe('event: error\ndata: {"type":"error","error":{"type":"api_error","message":"the upstream stopped sending"}}\n\n');
    expect(t.push('data: {"id":"c1","choices":[{"index":0,"delta":{"content":"more"},"finish_reason":"stop"}]}\n\n')).toBe("");
    expect(t.fail("x", "y")).toBe("");
  });

  test("an in-band OpenAI error chunk becomes an error event", () => {
    const out = events(translator().push('data: {"error":{"message":"The server had an error","type":"server_error","param":null,"code":null}}\n\n'));
    expect(out.map((e) => e.event)).toEqual(["error"]);
    expect(out[0]!.data.error).toEqual({ type: "api_error", message: "The server had an error" });
  });

  test("no-index tool calls: a new id is a new call; reasoning becomes a thinking block", async () => {
    const tools = events(whole(await read("no-index-tools-stream.sse")));
    expect(tools.filter((e) => e.event === "content_block_start").map((e) => [e.data.index, e.data.content_block.type, e.data.content_block.id]))
      .toEqual([[0, "text", undefined], [1, "tool_use", "call_m3k1x0ab"], [2, "tool_use", "call_q8z2c4yd"]]);
    const thinking = events(whole(await read("reasoning-stream.sse")));
    expect(thinking.filter((e) => e.event === "content_block_start").map((e) => e.data.content_block))
      .toEqual([{ type: "thinking", thinking: "", signature: "" }, { type: "text", text: "" }]);
    expect(thinking.at(-2)!.data.usage).toEqual({ input_tokens: 19, output_tokens: 58, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 });
  });

  test("an unterminated event past the bound fails the stream", () => {
    const t = translator();
    expect(t.push(`data: {"x":"${"a".repeat(1 << 20)}`)).toContain("event: error");
  });
});
