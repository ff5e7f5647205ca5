// The translated stream through the official openai SDK's own SSE parser and chat stream assembler.
import { describe, expect, test } from "bun:test";
import { ChatCompletionStream } from "openai/lib/ChatCompletionStream";
import { Stream } from "openai/streaming";
import type { ChatCompletionChunk } from "openai/resources/chat/completions";
import { openaiToAnthropic } from "./index";

const FIXTURES = `${import.meta.dir}/../fixtures/anthropic-upstream`;

async function translated(name: string, includeUsage: boolean): Promise<string> {
  const t = openaiToAnthropic.stream({ model: "claude-sonnet-4", includeUsage });
  return t.push(await Bun.file(`${FIXTURES}/${name}`).text()) + t.end();
}

function sdkStream(sse: string): Stream<ChatCompletionChunk> {
  const res = new Response(sse, { headers: { "content-type": "text/event-stream" } });
  return Stream.fromSSEResponse<ChatCompletionChunk>(res, new AbortController());
}

async function assembled(name: string, includeUsage = true) {
  const chat = ChatCompletionStream.fromReadableStream(sdkStream(await translated(name, includeUsage)).toReadableStream());
  return chat.finalChatCompletion();
}

describe("openai SDK reads the translated stream", () => {
  test("parallel tool calls reassembled with ids, names and arguments; usage", async () => {
    const done = await assembled("stream-parallel-tools.sse");
    const choice = done.choices[0]!;
    expect(choice.finish_reason).toBe("tool_calls");
    expect(choice.message.content).toBe("I'll look up both cities.");
    expect(choice.message.tool_calls?.map((c) => c.type === "function" && [c.id, c.function.name, JSON.parse(c.function.arguments)])).toEqual([
      ["toolu_01Sp3vVhVS7ztmcJ6aB2Qe9v", "get_weather", { location: "Paris" }],
      ["toolu_01QBhBvbmWZaXUXbVGchvF4k", "get_time", { timezone: "Asia/Tokyo" }],
    ]);
    expect(done.usage).toMatchObject({ prompt_tokens: 633, completion_tokens: 112, total_tokens: 745 });
  });

  test("one tool call split into many argument pieces", async () => {
    const done = await assembled("stream-tool-use.sse");
    const call = done.choices[0]!.message.tool_calls?.[0];
    expect(call?.type === "function" && JSON.parse(call.function.arguments)).toEqual({ location: "San Francisco, CA", unit: "fahrenheit" });
    expect(done.choices[0]!.message.content).toBe("Okay, let me check the weather for San Francisco, CA:");
  });

  test("text and cache usage", async () => {
    const done = await assembled("stream-cache.sse");
    expect(done.id).toBe("msg_01KfpJoAEabmH2iHRRFjQMAG");
    expect(done.choices[0]!.message.content).toBe("The contract's term is 24 months.");
    expect(done.choices[0]!.finish_reason).toBe("length");
    expect(done.usage?.prompt_tokens).toBe(2129);
    expect(done.usage?.prompt_tokens_details?.cached_tokens).toBe(1920);
  });

  test("without include_usage the SDK sees no usage", async () => {
    const done = await assembled("stream-text.sse", false);
    expect(done.choices[0]!.message.content).toBe("Hello! How can I help you today?");
    expect(done.usage).toBeUndefined();
  });

  test("an upstream error event surfaces as the SDK's APIError with the upstream message", async () => {
    const seen: string[] = [];
    let err: unknown;
    try {
      for await (const chunk of sdkStream(await translated("stream-error.sse", false))) seen.push(chunk.choices[0]?.delta.content ?? "");
    } catch (e) { err = e; }
    expect(seen.join("")).toBe("Once upon");
    expect(String((err as Error).message)).toContain("Overloaded");
  });
});
