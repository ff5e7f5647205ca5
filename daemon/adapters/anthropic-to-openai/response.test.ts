import { describe, expect, test } from "bun:test";
import { anthropicToOpenai, anthropicError, anthropicErrorType } from "./index.ts";
import { toolInput } from "./response.ts";
import { stopReason } from "./shared.ts";

const fixture = async (name: string) => JSON.parse(await Bun.file(`${import.meta.dir}/../fixtures/openai/${name}`).text());
const opts = { model: "claude-sonnet-4-5" };

describe("openai chat.completion → anthropic message", () => {
  test("text answer", async () => {
    expect(anthropicToOpenai.response(await fixture("text.json"), opts)).toEqual({
      id: "msg_chatcmpl-CHx4kP0sQ1vRz7mYt3bNcLw8XeUa2", type: "message", role: "assistant", model: "claude-sonnet-4-5",
      content: [{ type: "text", text: "Hello! How can I help you today?" }],
      stop_reason: "end_turn", stop_sequence: null,
      usage: { input_tokens: 19, output_tokens: 10, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
    });
  });

  test("text and two tool calls; cached tokens leave input_tokens", async () => {
    const msg = anthropicToOpenai.response(await fixture("tools.json"), opts);
    expect(msg.content).toEqual([
      { type: "text", text: "Let me check both." },
      { type: "tool_use", id: "call_Hq4mZ8vTnR2xLp6sWb0kYe3J", name: "get_weather", input: { location: "Paris, France" }, caller: { type: "direct" } },
      { type: "tool_use", id: "call_Ua7cN1oKj5dXf9gEt2rPm8Qs", name: "get_time", input: { timezone: "Europe/Paris" }, caller: { type: "direct" } },
    ]);
    expect(msg.stop_reason).toBe("tool_use");
    expect(msg.usage).toEqual({ input_tokens: 262, output_tokens: 52, cache_creation_input_tokens: 0, cache_read_input_tokens: 2048 });
  });

  test("reasoning_content becomes a thinking block before the text; length → max_tokens", async () => {
    const msg = anthropicToOpenai.response(await fixture("reasoning.json"), opts);
    expect(msg.content).toEqual([
      { type: "thinking", thinking: "The user asks 2+2. That is 4.", signature: "" },
      { type: "text", text: "2 + 2 = 4." },
    ]);
    expect(msg.stop_reason).toBe("max_tokens");
  });

  test("Route's cache_creation_tokens extension is a cache write, not input", () => {
    const body = { id: "x", choices: [{ message: { content: "ok" }, finish_reason: "stop" }],
      usage: { prompt_tokens: 1000, completion_tokens: 5, prompt_tokens_details: { cached_tokens: 600, cache_creation_tokens: 300 } } };
    expect(anthropicToOpenai.response(body, opts).usage)
      .toEqual({ input_tokens: 100, output_tokens: 5, cache_creation_input_tokens: 300, cache_read_input_tokens: 600 });
  });

  test("a refusal is the text, content_filter → refusal", () => {
    const body = { id: "x", choices: [{ message: { content: null, refusal: "I can't help with that." }, finish_reason: "content_filter" }] };
    const msg = anthropicToOpenai.response(body, opts);
    expect(msg.content).toEqual([{ type: "text", text: "I can't help with that." }]);
    expect(msg.stop_reason).toBe("refusal");
  });

  const reasons: [unknown, boolean, string | null][] = [
    ["stop", false, "end_turn"], ["length", false, "max_tokens"], ["tool_calls", true, "tool_use"],
    ["content_filter", false, "refusal"], ["function_call", true, "tool_use"],
    ["stop", true, "tool_use"], ["eos", false, "end_turn"], [null, false, null],
  ];
  for (const [finish, tools, want] of reasons) {
    test(`finish_reason ${finish}${tools ? " with tool calls" : ""} → ${want}`, () => expect(stopReason(finish, tools)).toBe(want));
  }

  const inputs: [unknown, Record<string, unknown>][] = [
    ['{"a":1}', { a: 1 }], ["", {}], [undefined, {}], ['{"a":', { _raw: '{"a":' }], ["[1,2]", { _raw: "[1,2]" }],
  ];
  for (const [args, want] of inputs) test(`arguments ${JSON.stringify(args)} → input ${JSON.stringify(want)}`, () => expect(toolInput(args)).toEqual(want));
});

describe("errors and path", () => {
  test("OpenAI envelopes keep status and message in Anthropic's envelope", async () => {
    const e401 = anthropicToOpenai.error(401, await fixture("error-401.json"));
    expect(e401.status).toBe(401);
    expect(JSON.parse(e401.body)).toEqual({ type: "error", error: { type: "authentication_error",
      message: (await fixture("error-401.json")).error.message } });
    const e429 = anthropicToOpenai.error(429, await fixture("error-429.json"));
    expect(JSON.parse(e429.body).error.type).toBe("rate_limit_error");
  });

  test("bodies that are not envelopes still give a message", () => {
    expect(JSON.parse(anthropicToOpenai.error(502, null).body).error).toEqual({ type: "api_error", message: "upstream answered HTTP 502" });
    expect(JSON.parse(anthropicToOpenai.error(400, { error: "bad model" }).body).error.message).toBe("bad model");
  });

  const types: [number, string][] = [[400, "invalid_request_error"], [401, "authentication_error"], [403, "permission_error"],
    [404, "not_found_error"], [413, "request_too_large"], [422, "invalid_request_error"], [429, "rate_limit_error"],
    [500, "api_error"], [502, "api_error"], [503, "overloaded_error"], [529, "overloaded_error"]];
  for (const [status, type] of types) test(`${status} → ${type}`, () => expect(anthropicErrorType(status)).toBe(type));

  test("anthropicError builds the envelope", () => {
    expect(anthropicError("not_found_error", "no such model")).toBe('{"type":"error","error":{"type":"not_found_error","message":"no such model"}}');
  });

  test("path: /v1/messages (query dropped) → /v1/chat/completions; others refused", () => {
    expect(anthropicToOpenai.path("/v1/messages")).toBe("/v1/chat/completions");
    expect(anthropicToOpenai.path("/v1/messages?beta=true")).toBe("/v1/chat/completions");
    expect(() => anthropicToOpenai.path("/v1/messages/count_tokens")).toThrow("no OpenAI Chat Completions equivalent");
  });
});
