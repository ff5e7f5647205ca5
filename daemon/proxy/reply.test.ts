import { describe, expect, test } from "bun:test";
import { replyFromJson, StreamReply } from "./reply.ts";
import { SseParser } from "./sse.ts";

const ev = (o: unknown) => ({ event: null, data: typeof o === "string" ? o : JSON.stringify(o) });

describe("StreamReply", () => {
  test("chat deltas: the role preamble is not content, text and tool calls are assembled", () => {
    const r = new StreamReply();
    expect(r.add(ev({ choices: [{ index: 0, delta: { role: "assistant", content: "" } }] }))).toBe("preamble");
    expect(r.add(ev({ choices: [{ index: 0, delta: { content: "Hel" } }] }))).toBe("content");
    r.add(ev({ choices: [{ index: 0, delta: { content: "lo" } }] }));
    r.add(ev({ choices: [{ index: 0, delta: { tool_calls: [{ index: 0, id: "call_1", type: "function", function: { name: "get_", arguments: '{"ci' } }] } }] }));
    r.add(ev({ choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { name: "weather", arguments: 'ty":"Paris"}' } }] } }] }));
    r.add(ev({ choices: [], usage: { prompt_tokens: 4, completion_tokens: 9, total_tokens: 13 } }));
    expect(r.add(ev("[DONE]"))).toBe("done");
    expect(r.result()).toEqual({
      text: "Hello",
      toolCalls: [{ id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } }],
      usage: { promptTokens: 4, completionTokens: 9, totalTokens: 13, cachedTokens: null, cacheWriteTokens: null, reasoningTokens: null },
      error: null,
    });
  });

  test("bytes read before and kept after commit come out the same, split anywhere, with odd events among them", () => {
    const data = (o: unknown) => `data: ${typeof o === "string" ? o : JSON.stringify(o)}\n\n`;
    const chunk = (t: string) => data({ choices: [{ index: 0, delta: { content: t } }] });
    const text =
      data({ choices: [{ index: 0, delta: { role: "assistant", content: "" } }] }) + chunk("A") + chunk("b") +
      data("not json") + data('{"broken": ') + chunk("c") + data({ choices: [], usage: { prompt_tokens: 1, completion_tokens: 3 } }) + data("[DONE]");
    const bytes = new TextEncoder().encode(text);
    for (const cut of [10, 60, 120, bytes.length - 5]) {
      for (const oddOnes of [true, false]) {
        const src = oddOnes ? bytes : new TextEncoder().encode(text.replace(data("not json") + data('{"broken": '), ""));
        const r = new StreamReply();
        const kinds = [r.read(src.subarray(0, cut))];
        for (let i = cut; i < src.length; i += 7) r.keep(src.subarray(i, i + 7));
        if (cut === 10) expect(kinds[0]).toBe("preamble"); // half the role preamble: not committed
        if (cut > 200) expect(kinds[0]).toBe("content");
        expect(r.result()).toMatchObject({ text: "Abc", usage: { promptTokens: 1, completionTokens: 3, totalTokens: 4 }, error: null });
      }
    }
  });

  test("in-band error events are errors", () => {
    const r = new StreamReply();
    expect(r.add(ev({ error: { message: "overloaded", code: "server_busy" } }))).toBe("error");
    expect(r.result().error).toEqual({ code: "server_busy", message: "overloaded" });
  });

  test("completions and responses API streams", () => {
    const c = new StreamReply();
    expect(c.add(ev({ choices: [{ index: 0, text: "abc" }] }))).toBe("content");
    expect(c.result().text).toBe("abc");
    const r = new StreamReply();
    expect(r.add({ event: "response.created", data: JSON.stringify({ type: "response.created" }) })).toBe("preamble");
    expect(r.add(ev({ type: "response.output_text.delta", delta: "Hi " }))).toBe("content");
    r.add(ev({ type: "response.output_text.delta", delta: "there" }));
    r.add(ev({ type: "response.completed", response: { usage: { input_tokens: 3, output_tokens: 2, total_tokens: 5 } } }));
    expect(r.result()).toMatchObject({ text: "Hi there", usage: { promptTokens: 3, completionTokens: 2, totalTokens: 5 } });
  });
});

describe("StreamReply: Responses API function calls", () => {
  const resp = (o: Record<string, unknown>, seq: number) => ({ event: o.type as string, data: JSON.stringify({ ...o, sequence_number: seq }) });
  const call = { id: "fc_1", type: "function_call", status: "in_progress", arguments: "", call_id: "call_1", name: "get_weather" };
  const streamed = [
    { type: "response.created", response: { id: "resp_1", status: "in_progress", output: [] } },
    { type: "response.output_item.added", output_index: 0, item: { id: "msg_1", type: "message", role: "assistant", content: [] } },
    { type: "response.output_text.delta", output_index: 0, content_index: 0, delta: "Let me check." },
    { type: "response.output_item.added", output_index: 1, item: call },
    { type: "response.function_call_arguments.delta", output_index: 1, item_id: "fc_1", delta: '{"city"' },
    { type: "response.function_call_arguments.delta", output_index: 1, item_id: "fc_1", delta: ':"Paris"}' },
  ];

  test("output_item and argument deltas are assembled as the output item a non-stream reply lists", () => {
    const r = new StreamReply();
    streamed.forEach((o, i) => r.add(resp(o, i)));
    const part = r.result();
    expect(part.text).toBe("Let me check.");
    expect(part.toolCalls).toEqual([{ ...call, arguments: '{"city":"Paris"}' }]); // cut before done: the deltas
    const done = { ...call, status: "completed", arguments: '{"city":"Paris"}' };
    const r2 = new StreamReply();
    [...streamed, { type: "response.function_call_arguments.done", output_index: 1, item_id: "fc_1", arguments: '{"city":"Paris"}' }, { type: "response.output_item.done", output_index: 1, item: done }].forEach((o, i) => r2.add(resp(o, i)));
    r2.add(resp({ type: "response.completed", response: { output: [{ type: "message" }, done], usage: { input_tokens: 9, output_tokens: 4, total_tokens: 13 } } }, 9));
    expect(r2.result()).toMatchObject({ text: "Let me check.", toolCalls: [done], usage: { promptTokens: 9, completionTokens: 4, totalTokens: 13 } });
    expect(replyFromJson({ output: [{ type: "message", content: [{ type: "output_text", text: "Let me check." }] }, done] }).toolCalls).toEqual(r2.result().toolCalls);
  });

  test("an event appended after commit takes the next sequence number, from bytes kept but not parsed yet", () => {
    const r = new StreamReply();
    const bytes = new TextEncoder().encode(streamed.map((o, i) => `event: ${o.type}\ndata: ${JSON.stringify({ ...o, sequence_number: i })}\n\n`).join(""));
    expect(r.read(bytes.subarray(0, 400))).toBe("content");
    r.keep(bytes.subarray(400));
    expect(r.nextSequenceNumber()).toBe(streamed.length);
    expect(r.result().toolCalls).toHaveLength(1);
  });
});

describe("StreamReply: Anthropic Messages events", () => {
  const ev = (o: Record<string, unknown>) => ({ event: o.type as string, data: JSON.stringify(o) });
  test("text and tool_use blocks, usage with the cache split, ping and signature are not content", () => {
    const r = new StreamReply();
    expect(r.add(ev({ type: "message_start", message: { id: "msg_1", usage: { input_tokens: 10, cache_read_input_tokens: 100, cache_creation_input_tokens: 5, output_tokens: 1 } } }))).toBe("preamble");
    expect(r.add(ev({ type: "ping" }))).toBe("preamble");
    expect(r.add(ev({ type: "content_block_start", index: 0, content_block: { type: "text", text: "" } }))).toBe("preamble");
    expect(r.add(ev({ type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "Checking" } }))).toBe("content");
    r.add(ev({ type: "content_block_start", index: 1, content_block: { type: "tool_use", id: "toolu_1", name: "get_weather", input: {} } }));
    r.add(ev({ type: "content_block_delta", index: 1, delta: { type: "input_json_delta", partial_json: '{"city":' } }));
    r.add(ev({ type: "content_block_delta", index: 1, delta: { type: "input_json_delta", partial_json: '"Paris"}' } }));
    r.add(ev({ type: "message_delta", delta: { stop_reason: "tool_use" }, usage: { output_tokens: 42 } }));
    expect(r.result()).toEqual({
      text: "Checking",
      toolCalls: [{ type: "tool_use", id: "toolu_1", name: "get_weather", input: { city: "Paris" } }],
      usage: { promptTokens: 115, completionTokens: 42, totalTokens: 157, cachedTokens: 100, cacheWriteTokens: 5, reasoningTokens: null },
      error: null,
    });
  });

  test("an error event before content is an error; a whole message body is read too", () => {
    const r = new StreamReply();
    r.add(ev({ type: "message_start", message: { usage: { input_tokens: 1, output_tokens: 0 } } }));
    expect(r.add(ev({ type: "error", error: { type: "overloaded_error", message: "Overloaded" } }))).toBe("error");
    expect(r.error).toEqual({ code: "overloaded_error", message: "Overloaded" });
    const m = replyFromJson({ type: "message", content: [{ type: "text", text: "Hi" }, { type: "tool_use", id: "t", name: "f", input: {} }], usage: { input_tokens: 3, output_tokens: 2, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 } });
    expect(m).toMatchObject({ text: "Hi", toolCalls: [{ type: "tool_use", id: "t" }], usage: { promptTokens: 3, completionTokens: 2, totalTokens: 5 } });
  });
});

describe("replyFromJson", () => {
  test("chat message with tool calls", () => {
    const r = replyFromJson({
      choices: [{ message: { content: null, tool_calls: [{ id: "c", type: "function", function: { name: "f", arguments: "{}" } }] } }],
      usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 },
    });
    expect(r.text).toBeNull();
    expect(r.toolCalls).toHaveLength(1);
    expect(r.usage).toEqual({ promptTokens: 1, completionTokens: 2, totalTokens: 3, cachedTokens: null, cacheWriteTokens: null, reasoningTokens: null });
  });

  test("token classes: cached and cache-write input, reasoning output (chat, Responses, Anthropic-style names)", () => {
    const chat = replyFromJson({ usage: { prompt_tokens: 100, completion_tokens: 50, total_tokens: 150, prompt_tokens_details: { cached_tokens: 80 }, completion_tokens_details: { reasoning_tokens: 30 } } });
    expect(chat.usage).toMatchObject({ promptTokens: 100, cachedTokens: 80, cacheWriteTokens: null, reasoningTokens: 30 });
    const responses = replyFromJson({ output: [], usage: { input_tokens: 10, output_tokens: 5, total_tokens: 15, input_tokens_details: { cached_tokens: 4 }, output_tokens_details: { reasoning_tokens: 2 } } });
    expect(responses.usage).toMatchObject({ promptTokens: 10, completionTokens: 5, cachedTokens: 4, reasoningTokens: 2 });
    const compat = replyFromJson({ usage: { prompt_tokens: 9, completion_tokens: 1, cache_read_input_tokens: 3, cache_creation_input_tokens: 5 } });
    expect(compat.usage).toMatchObject({ cachedTokens: 3, cacheWriteTokens: 5 });
  });

  test("responses API output and error bodies", () => {
    expect(replyFromJson({ output: [{ type: "message", content: [{ type: "output_text", text: "ok" }] }] }).text).toBe("ok");
    expect(replyFromJson({ error: { message: "nope", code: "bad" } }).error).toEqual({ code: "bad", message: "nope" });
  });
});

describe("StreamReply kept bytes, in bulk or event by event", () => {
  const data = (o: unknown) => `data: ${typeof o === "string" ? o : JSON.stringify(o)}\n\n`;
  const delta = (t: string) => ({ choices: [{ index: 0, delta: { content: t } }] });
  const usage = { choices: [], usage: { prompt_tokens: 2, completion_tokens: 3 } };
  /** The reply from events added one by one, as the SSE parser splits them. */
  const oneByOne = (text: string) => {
    const r = new StreamReply();
    const p = new SseParser();
    for (const ev of p.push(new TextEncoder().encode(text))) r.add(ev);
    return r.result();
  };
  const kept = (text: string) => {
    const r = new StreamReply();
    const bytes = new TextEncoder().encode(text);
    for (let i = 0; i < bytes.length; i += 50) r.keep(bytes.subarray(i, i + 50));
    return r.result();
  };
  const streams: Record<string, string> = {
    usual: data(delta("Hel")) + data(delta("lo ✓")) + data(usage) + data("[DONE]"),
    "no [DONE]": data(delta("a")) + data(delta("b")),
    "an event name": data(delta("a")) + `event: error\ndata: ${JSON.stringify({ error: { message: "late" } })}\n\n` + data(delta("b")),
    "a comment": data(delta("a")) + ": ping\n\n" + data(delta("b")),
    "data over two lines": data(delta("a")) + 'data: {"choices":[{"index":0,\ndata: "delta":{"content":"b"}}]}\n\n',
    CRLF: data(delta("a")).replaceAll("\n", "\r\n") + data(delta("b")).replaceAll("\n", "\r\n"),
    "not JSON": data(delta("a")) + data("hello") + data(delta("b")),
    "two values in one event": data(delta("a")) + `data: ${JSON.stringify(delta("x"))}, ${JSON.stringify(delta("y"))}\n\n` + data(delta("b")),
    "[DONE] before the end": data(delta("a")) + data("[DONE]") + data(delta("b")),
    "no space after data:": data(delta("a")) + `data:${JSON.stringify(delta("b"))}\n\n`,
  };
  for (const [name, text] of Object.entries(streams)) {
    test(`${name}: the same reply as event by event`, () => {
      expect(kept(text)).toEqual(oneByOne(text));
    });
  }
  test("the usual stream's reply", () => {
    expect(kept(streams.usual!)).toMatchObject({ text: "Hello ✓", usage: { promptTokens: 2, completionTokens: 3, totalTokens: 5 } });
  });
});
