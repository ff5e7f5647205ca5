import { describe, expect, test } from "bun:test";
import { AdapterError } from "../types.ts";
import { responsesToChat } from "./index.ts";

const opts = { model: "qwen3-32b", stream: false };
const translate = (body: Record<string, unknown>, o = opts) => responsesToChat.request(body, o);

describe("Responses request → Chat Completions request", () => {
  const cases: [string, Record<string, unknown>, Record<string, unknown>][] = [
    ["instructions and a string input", { model: "alias", instructions: "Be brief.", input: "Hi" },
      { model: "qwen3-32b", messages: [{ role: "system", content: "Be brief." }, { role: "user", content: "Hi" }] }],
    ["message items: developer as system, parts joined, output_text in history", {
      input: [
        { role: "developer", content: "Rules." },
        { type: "message", role: "user", content: [{ type: "input_text", text: "Look " }, { type: "input_text", text: "here" }] },
        { type: "message", role: "assistant", content: [{ type: "output_text", text: "Done.", annotations: [] }] },
      ] },
      { messages: [{ role: "system", content: "Rules." }, { role: "user", content: "Look here" }, { role: "assistant", content: "Done." }] }],
    ["images: URL and data URL, detail kept unless auto", {
      input: [{ role: "user", content: [{ type: "input_text", text: "What?" }, { type: "input_image", image_url: "https://x/a.png", detail: "auto" },
        { type: "input_image", image_url: "data:image/png;base64,iVBO", detail: "low" }] }] },
      { messages: [{ role: "user", content: [{ type: "text", text: "What?" }, { type: "image_url", image_url: { url: "https://x/a.png" } },
        { type: "image_url", image_url: { url: "data:image/png;base64,iVBO", detail: "low" } }] }] }],
    ["a turn's text and consecutive function calls: one assistant message; outputs: tool messages; reasoning dropped", {
      input: [
        { role: "user", content: "Weather and time?" },
        { type: "reasoning", id: "rs_1", summary: [{ type: "summary_text", text: "think" }] },
        { type: "message", role: "assistant", content: [{ type: "output_text", text: "Checking." }] },
        { type: "function_call", id: "fc_1", call_id: "call_a", name: "get_weather", arguments: "{\"city\":\"Paris\"}" },
        { type: "function_call", id: "fc_2", call_id: "call_b", name: "get_time", arguments: "{}" },
        { type: "function_call_output", call_id: "call_a", output: "18C" },
        { type: "function_call_output", call_id: "call_b", output: [{ type: "input_text", text: "12:00" }] },
        { type: "function_call", call_id: "call_c", name: "get_weather", arguments: "{}" },
      ] },
      { messages: [
        { role: "user", content: "Weather and time?" },
        { role: "assistant", content: "Checking.", tool_calls: [
          { id: "call_a", type: "function", function: { name: "get_weather", arguments: "{\"city\":\"Paris\"}" } },
          { id: "call_b", type: "function", function: { name: "get_time", arguments: "{}" } }] },
        { role: "tool", tool_call_id: "call_a", content: "18C" },
        { role: "tool", tool_call_id: "call_b", content: "12:00" },
        { role: "assistant", content: null, tool_calls: [{ id: "call_c", type: "function", function: { name: "get_weather", arguments: "{}" } }] },
      ] }],
    ["tools, tool_choice, parallel_tool_calls, sampling, max_output_tokens → max_tokens", {
      input: "x", tools: [{ type: "function", name: "f", description: "d", parameters: { type: "object" }, strict: true }],
      tool_choice: { type: "function", name: "f" }, parallel_tool_calls: false, temperature: 0.2, top_p: 0.9, max_output_tokens: 300 },
      { tools: [{ type: "function", function: { name: "f", description: "d", parameters: { type: "object" }, strict: true } }],
        tool_choice: { type: "function", function: { name: "f" } }, parallel_tool_calls: false, temperature: 0.2, top_p: 0.9, max_tokens: 300 }],
    ["text.format json_schema → response_format; reasoning.effort; safety_identifier → user; cache key and tier kept", {
      input: "x", text: { format: { type: "json_schema", name: "answer", schema: { type: "object" }, strict: true }, verbosity: "low" },
      reasoning: { effort: "high", summary: "auto" }, safety_identifier: "u-1", prompt_cache_key: "k", service_tier: "auto" },
      { response_format: { type: "json_schema", json_schema: { name: "answer", schema: { type: "object" }, strict: true } }, verbosity: "low",
        reasoning_effort: "high", user: "u-1", prompt_cache_key: "k", service_tier: "auto" }],
    ["json_object; text format and default verbosity add nothing", { input: "x", text: { format: { type: "json_object" }, verbosity: "medium" } },
      { response_format: { type: "json_object" } }],
    ["dropped: store, metadata, truncation disabled, background false, encrypted reasoning include, null previous_response_id", {
      input: "x", text: { format: { type: "text" } }, store: false, metadata: { a: "b" }, truncation: "disabled", background: false,
      include: ["reasoning.encrypted_content"], previous_response_id: null, stream_options: { include_obfuscation: false }, tool_choice: "auto" },
      { messages: [{ role: "user", content: "x" }], tool_choice: "auto" }],
  ];
  for (const [name, body, expected] of cases) {
    test(name, () => expect(translate(body)).toMatchObject(expected));
  }

  test("nothing beyond what the table names is sent", () => {
    expect(Object.keys(translate({ input: "x", store: true, metadata: {}, client_metadata: { a: "b" }, truncation: "disabled",
      background: false, include: ["reasoning.encrypted_content"], stream_options: {}, text: { format: { type: "text" } }, reasoning: { summary: "auto" } })).sort()).toEqual(["messages", "model"]);
  });

  test("a system message later in the conversation stays where it is", () => {
    expect(translate({ instructions: "A", input: [{ role: "system", content: "B" }, { role: "user", content: "u" }, { role: "developer", content: "C" }] }).messages)
      .toEqual([{ role: "system", content: "A\n\nB" }, { role: "user", content: "u" }, { role: "system", content: "C" }]);
  });

  test("a Codex turn: developer context, reasoning with encrypted content, a shell call and its output", () => {
    const codex = { model: "gpt-5-codex", instructions: "You are Codex.", tool_choice: "auto", parallel_tool_calls: false, store: false, stream: true,
      include: ["reasoning.encrypted_content"], prompt_cache_key: "0199a1b2-thread", reasoning: { effort: "medium", summary: "auto" },
      text: { verbosity: "medium" }, client_metadata: {},
      tools: [{ type: "function", name: "shell", description: "Runs a command", strict: false,
        parameters: { type: "object", properties: { command: { type: "array", items: { type: "string" } } }, required: ["command"] } }],
      input: [
        { type: "message", role: "developer", content: [{ type: "input_text", text: "<environment_context>cwd</environment_context>" }] },
        { type: "message", role: "user", content: [{ type: "input_text", text: "list files" }] },
        { type: "reasoning", summary: [], content: null, encrypted_content: "gAAAA" },
        { type: "function_call", name: "shell", arguments: "{\"command\":[\"ls\"]}", call_id: "call_s1" },
        { type: "function_call_output", call_id: "call_s1", output: "a.ts\nb.ts" },
      ] };
    expect(translate(codex, { model: "qwen3-coder", stream: true })).toEqual({ model: "qwen3-coder", messages: [
      { role: "system", content: "You are Codex.\n\n<environment_context>cwd</environment_context>" },
      { role: "user", content: "list files" },
      { role: "assistant", content: null, tool_calls: [{ id: "call_s1", type: "function", function: { name: "shell", arguments: "{\"command\":[\"ls\"]}" } }] },
      { role: "tool", tool_call_id: "call_s1", content: "a.ts\nb.ts" }],
      tools: [{ type: "function", function: { name: "shell", description: "Runs a command", parameters: codex.tools[0]!.parameters, strict: false } }],
      tool_choice: "auto", parallel_tool_calls: false, reasoning_effort: "medium", prompt_cache_key: "0199a1b2-thread",
      stream: true, stream_options: { include_usage: true } });
  });

  test("a stream always asks for usage", () => {
    expect(translate({ input: "x", stream: true }, { model: "m", stream: true })).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });
});

describe("refused with 400, naming the feature", () => {
  const cases: [Record<string, unknown>, string][] = [
    [{ previous_response_id: "resp_1" }, "\"previous_response_id\" needs server-side state Route does not keep"],
    [{ conversation: "conv_1" }, "\"conversation\" needs server-side state"],
    [{ background: true }, "\"background\": true needs server-side state"],
    [{ truncation: "auto" }, "\"truncation\": \"auto\" needs server-side state"],
    [{ tools: [{ type: "web_search" }] }, "the built-in tool \"web_search\""],
    [{ tools: [{ type: "code_interpreter", container: { type: "auto" } }] }, "\"code_interpreter\""],
    [{ tools: [{ type: "custom", name: "apply_patch" }] }, "\"custom\""],
    [{ input: [{ type: "item_reference", id: "msg_1" }] }, "item_reference"],
    [{ input: [{ type: "local_shell_call", call_id: "c" }] }, "\"local_shell_call\""],
    [{ input: [{ role: "user", content: [{ type: "input_image", file_id: "file-1" }] }] }, "file_id"],
    [{ include: ["message.output_text.logprobs"] }, "message.output_text.logprobs"],
    [{ top_logprobs: 3 }, "the field \"top_logprobs\""],
    [{ text: { format: { type: "grammar" } } }, "\"text.format\" of type \"grammar\""],
    [{ tool_choice: { type: "web_search_preview" } }, "tool_choice"],
  ];
  for (const [body, message] of cases) {
    test(message, () => {
      let err: unknown;
      try { translate({ input: "x", ...body }); } catch (e) { err = e; }
      expect(err).toBeInstanceOf(AdapterError);
      expect(err).toMatchObject({ status: 400, code: "unsupported_parameter" });
      expect((err as Error).message).toContain(message);
    });
  }
});

test("path: /v1/responses → /v1/chat/completions; other paths have none", () => {
  expect(responsesToChat.path("/v1/responses")).toBe("/v1/chat/completions");
  expect(() => responsesToChat.path("/v1/responses/resp_1")).toThrow(AdapterError);
});
