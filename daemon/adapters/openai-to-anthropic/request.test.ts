import { describe, expect, test } from "bun:test";
import { AdapterError } from "../types";
import { openaiToAnthropic } from "./index";

type Json = Record<string, unknown>;
const OPTS = { model: "claude-sonnet-4-20250514", stream: false };
const translate = (body: Json, opts = OPTS) => openaiToAnthropic.request(body, opts);
const user = (content: unknown) => ({ role: "user", content });

describe("openai → anthropic request: messages", () => {
  const cases: [string, Json[], Json][] = [
    ["system and developer anywhere → top-level system, in order",
      [{ role: "system", content: "Be brief." }, user("hi"), { role: "developer", content: [{ type: "text", text: "Use metric." }] }, { role: "assistant", content: "ok" }],
      { system: [{ type: "text", text: "Be brief." }, { type: "text", text: "Use metric." }],
        messages: [{ role: "user", content: [{ type: "text", text: "hi" }] }, { role: "assistant", content: [{ type: "text", text: "ok" }] }] }],
    ["image parts: data: URL → base64 source, https → url source",
      [user([{ type: "text", text: "what?" }, { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } },
        { type: "image_url", image_url: { url: "https://example.com/cat.jpg", detail: "high" } }])],
      { messages: [{ role: "user", content: [{ type: "text", text: "what?" },
        { type: "image", source: { type: "base64", media_type: "image/png", data: "iVBORw0KGgo=" } },
        { type: "image", source: { type: "url", url: "https://example.com/cat.jpg" } }] }] }],
    ["tool calls → tool_use; consecutive tool results and the next user message → ONE user turn",
      [user("weather in Paris and Tokyo?"),
        { role: "assistant", content: null, tool_calls: [
          { id: "call_1", type: "function", function: { name: "get_weather", arguments: "{\"city\":\"Paris\"}" } },
          { id: "call_2", type: "function", function: { name: "get_weather", arguments: "{\"city\":\"Tokyo\"}" } }] },
        { role: "tool", tool_call_id: "call_1", content: "18C" },
        { role: "tool", tool_call_id: "call_2", content: [{ type: "text", text: "25C" }] },
        user("and in F?")],
      { messages: [
        { role: "user", content: [{ type: "text", text: "weather in Paris and Tokyo?" }] },
        { role: "assistant", content: [
          { type: "tool_use", id: "call_1", name: "get_weather", input: { city: "Paris" } },
          { type: "tool_use", id: "call_2", name: "get_weather", input: { city: "Tokyo" } }] },
        { role: "user", content: [
          { type: "tool_result", tool_use_id: "call_1", content: "18C" },
          { type: "tool_result", tool_use_id: "call_2", content: [{ type: "text", text: "25C" }] },
          { type: "text", text: "and in F?" }] }] }],
    ["consecutive same-role turns merged; empty assistant text dropped",
      [user("a"), user([{ type: "text", text: "b", cache_control: { type: "ephemeral" } }]), { role: "assistant", content: "", tool_calls: [] }, user("c")],
      { messages: [{ role: "user", content: [{ type: "text", text: "a" }, { type: "text", text: "b", cache_control: { type: "ephemeral" } }, { type: "text", text: "c" }] }] }],
  ];
  for (const [name, messages, want] of cases) {
    test(name, () => {
      const out = translate({ model: "gpt-4o", messages });
      expect({ system: out.system, messages: out.messages }).toEqual({ system: want.system as undefined, messages: want.messages as undefined });
    });
  }
});

describe("openai → anthropic request: parameters", () => {
  const base = { model: "alias", messages: [user("hi")] };
  const cases: [string, Json, Json][] = [
    ["model from opts, default max_tokens, stream from opts", {}, { model: OPTS.model, max_tokens: 8192, stream: false }],
    ["max_completion_tokens wins over max_tokens", { max_tokens: 10, max_completion_tokens: 20 }, { max_tokens: 20 }],
    ["stop string → list", { stop: "END" }, { stop_sequences: ["END"] }],
    ["stop list", { stop: ["a", "b"] }, { stop_sequences: ["a", "b"] }],
    ["temperature, top_p, top_k", { temperature: 0.3, top_p: 0.9, top_k: 5 }, { temperature: 0.3, top_p: 0.9, top_k: 5 }],
    ["user → metadata.user_id", { user: "u-42" }, { metadata: { user_id: "u-42" } }],
    ["tools → name/description/input_schema",
      { tools: [{ type: "function", function: { name: "f", description: "d", parameters: { type: "object", properties: { a: { type: "string" } } }, strict: true } },
        { type: "function", function: { name: "g" } }] },
      { tools: [{ name: "f", description: "d", input_schema: { type: "object", properties: { a: { type: "string" } } } },
        { name: "g", input_schema: { type: "object", properties: {} } }] }],
    ["tool_choice auto", { tool_choice: "auto" }, { tool_choice: { type: "auto" } }],
    ["tool_choice none", { tool_choice: "none", parallel_tool_calls: false }, { tool_choice: { type: "none" } }],
    ["tool_choice required → any", { tool_choice: "required" }, { tool_choice: { type: "any" } }],
    ["tool_choice named → tool", { tool_choice: { type: "function", function: { name: "f" } } }, { tool_choice: { type: "tool", name: "f" } }],
    ["parallel_tool_calls false → disable_parallel_tool_use", { parallel_tool_calls: false }, { tool_choice: { type: "auto", disable_parallel_tool_use: true } }],
    ["parallel false with required", { tool_choice: "required", parallel_tool_calls: false }, { tool_choice: { type: "any", disable_parallel_tool_use: true } }],
    ["reasoning_effort → thinking, max_tokens kept above the budget", { reasoning_effort: "medium", max_tokens: 1000 },
      { thinking: { type: "enabled", budget_tokens: 4096 }, max_tokens: 5096 }],
    ["reasoning_effort high with room already", { reasoning_effort: "high", max_tokens: 32000 }, { thinking: { type: "enabled", budget_tokens: 16384 }, max_tokens: 32000 }],
    ["no-op values and harmless fields accepted", { n: 1, logprobs: false, frequency_penalty: 0, presence_penalty: 0, response_format: { type: "text" }, seed: 7, store: false, stream_options: { include_usage: true } },
      { model: OPTS.model }],
  ];
  for (const [name, extra, want] of cases) {
    test(name, () => {
      const out = translate({ ...base, ...extra });
      for (const [k, v] of Object.entries(want)) expect(out[k]).toEqual(v);
      if (!("seed" in extra)) return;
      for (const k of ["seed", "store", "stream_options", "n", "logprobs", "response_format"]) expect(out).not.toHaveProperty(k);
    });
  }

  test("per-model max_tokens default", () => {
    expect(translate(base, { model: "claude-3-haiku-20240307", stream: true })).toMatchObject({ max_tokens: 4096, stream: true });
    expect(translate(base, { model: "claude-opus-4-1-20250805", stream: false }).max_tokens).toBe(8192);
  });
});

describe("openai → anthropic request: refusals", () => {
  const base = { model: "alias", messages: [user("hi")] };
  const cases: [string, Json, string][] = [
    ["temperature above 1 (no silent clamp)", { temperature: 1.5 }, "unsupported_parameter"],
    ["n > 1", { n: 2 }, "unsupported_parameter"],
    ["logprobs", { logprobs: true }, "unsupported_parameter"],
    ["json_schema response_format", { response_format: { type: "json_schema", json_schema: { name: "x", schema: {} } } }, "unsupported_parameter"],
    ["presence_penalty", { presence_penalty: 0.5 }, "unsupported_parameter"],
    ["unknown field", { frobnicate: true }, "unsupported_parameter"],
    ["reasoning_effort minimal", { reasoning_effort: "minimal" }, "unsupported_parameter"],
    ["custom tool", { tools: [{ type: "custom", custom: { name: "x" } }] }, "unsupported_parameter"],
    ["invalid tool-call arguments JSON",
      { messages: [user("x"), { role: "assistant", tool_calls: [{ id: "c", type: "function", function: { name: "f", arguments: "{not json" } }] }] },
      "invalid_value"],
    ["audio part", { messages: [user([{ type: "input_audio", input_audio: { data: "", format: "wav" } }])] }, "unsupported_parameter"],
    ["function role", { messages: [{ role: "function", name: "f", content: "x" }] }, "unsupported_parameter"],
    ["max_tokens not an integer (never silently defaulted)", { max_tokens: "100" }, "invalid_value"],
    ["user not a string", { user: 42 }, "invalid_value"],
    ["data: URL that is not base64", { messages: [user([{ type: "image_url", image_url: { url: "data:image/svg+xml,<svg/>" } }])] }, "unsupported_parameter"],
  ];
  for (const [name, extra, code] of cases) {
    test(name, () => {
      let err: unknown;
      try { translate({ ...base, ...extra }); } catch (e) { err = e; }
      expect(err).toBeInstanceOf(AdapterError);
      expect((err as AdapterError).status).toBe(400);
      expect((err as AdapterError).code).toBe(code);
    });
  }
});

test("a whole request: exactly these fields reach the upstream", () => {
  const out = translate({
    model: "my-alias", stream: true, stream_options: { include_usage: true }, max_tokens: 300, temperature: 0.5, stop: "###",
    messages: [{ role: "system", content: "S" }, user("Q")],
    tools: [{ type: "function", function: { name: "f", parameters: { type: "object" } } }], tool_choice: "auto",
  }, { model: "claude-3-5-haiku-20241022", stream: true });
  expect(out).toEqual({
    model: "claude-3-5-haiku-20241022", max_tokens: 300, system: [{ type: "text", text: "S" }],
    messages: [{ role: "user", content: [{ type: "text", text: "Q" }] }],
    tools: [{ name: "f", input_schema: { type: "object" } }], tool_choice: { type: "auto" },
    stop_sequences: ["###"], temperature: 0.5, stream: true,
  });
});

test("path: chat completions → messages", () => {
  expect(openaiToAnthropic.path("/v1/chat/completions")).toBe("/v1/messages");
});
