import { describe, expect, test } from "bun:test";
import { AdapterError } from "../types.ts";
import { reasoningEffort, toChatRequest } from "./request.ts";

const opts = { model: "gpt-4o-upstream", stream: false };
const base = { model: "claude-sonnet-4-5", max_tokens: 1024 };
const user = (content: unknown) => ({ ...base, messages: [{ role: "user", content }] });

describe("anthropic → openai request", () => {
  const cases: [string, Record<string, unknown>, Record<string, unknown>][] = [
    ["string content, model from opts, max_tokens kept", user("Hi"),
      { model: "gpt-4o-upstream", messages: [{ role: "user", content: "Hi" }], max_tokens: 1024 }],
    ["system string and blocks (cache_control dropped) → one first system message",
      { ...user("Hi"), system: [{ type: "text", text: "You are terse." }, { type: "text", text: "Use tools.", cache_control: { type: "ephemeral" } }] },
      { messages: [{ role: "system", content: "You are terse.\n\nUse tools." }, { role: "user", content: "Hi" }] }],
    ["text and images (base64 and url)", user([
      { type: "text", text: "What is this?", cache_control: { type: "ephemeral" } },
      { type: "image", source: { type: "base64", media_type: "image/png", data: "iVBORw0KGgo=" } },
      { type: "image", source: { type: "url", url: "https://example.com/cat.jpg" } }]),
      { messages: [{ role: "user", content: [{ type: "text", text: "What is this?" },
        { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } },
        { type: "image_url", image_url: { url: "https://example.com/cat.jpg" } }] }] }],
    ["pdf and text documents", user([
      { type: "document", source: { type: "base64", media_type: "application/pdf", data: "JVBERi0=" }, title: "spec.pdf" },
      { type: "document", source: { type: "text", media_type: "text/plain", data: "plain words" } }]),
      { messages: [{ role: "user", content: [{ type: "file", file: { file_data: "data:application/pdf;base64,JVBERi0=", filename: "spec.pdf" } },
        { type: "text", text: "plain words" }] }] }],
    ["assistant tool_use (thinking dropped) and user tool_results → tool messages, then the user's text", {
      ...base, messages: [
        { role: "user", content: "Weather and time in Paris?" },
        { role: "assistant", content: [
          { type: "thinking", thinking: "Two tools.", signature: "EqQBCkYIBxgC" },
          { type: "redacted_thinking", data: "EmwKAhgBEgy3" },
          { type: "text", text: "Checking." },
          { type: "tool_use", id: "toolu_01A", name: "get_weather", input: { location: "Paris" } },
          { type: "tool_use", id: "toolu_01B", name: "get_time", input: {} }] },
        { role: "user", content: [
          { type: "tool_result", tool_use_id: "toolu_01A", content: [{ type: "text", text: "18°C" }, { type: "text", text: "sunny" }] },
          { type: "tool_result", tool_use_id: "toolu_01B", content: "no such zone", is_error: true },
          { type: "text", text: "Thanks." }] }] },
      { messages: [
        { role: "user", content: "Weather and time in Paris?" },
        { role: "assistant", content: "Checking.", tool_calls: [
          { id: "toolu_01A", type: "function", function: { name: "get_weather", arguments: '{"location":"Paris"}' } },
          { id: "toolu_01B", type: "function", function: { name: "get_time", arguments: "{}" } }] },
        { role: "tool", tool_call_id: "toolu_01A", content: "18°C\nsunny" },
        { role: "tool", tool_call_id: "toolu_01B", content: "[tool error] no such zone" },
        { role: "user", content: [{ type: "text", text: "Thanks." }] }] }],
    ["assistant with tool calls only has null content; image in a tool_result follows as a user message", {
      ...base, messages: [
        { role: "assistant", content: [{ type: "tool_use", id: "toolu_1", name: "screenshot", input: {} }] },
        { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_1",
          content: [{ type: "image", source: { type: "base64", media_type: "image/jpeg", data: "/9j/" } }] }] }] },
      { messages: [
        { role: "assistant", content: null, tool_calls: [{ id: "toolu_1", type: "function", function: { name: "screenshot", arguments: "{}" } }] },
        { role: "tool", tool_call_id: "toolu_1", content: "" },
        { role: "user", content: [{ type: "image_url", image_url: { url: "data:image/jpeg;base64,/9j/" } }] }] }],
    ["sampling, stops, user, tools, named tool_choice without parallel calls", {
      ...user("Hi"), temperature: 0.2, top_p: 0.9, stop_sequences: ["END"], metadata: { user_id: "u-42" },
      tools: [{ name: "get_weather", description: "Weather", input_schema: { type: "object", properties: { location: { type: "string" } } }, cache_control: { type: "ephemeral" } }],
      tool_choice: { type: "tool", name: "get_weather", disable_parallel_tool_use: true } },
      { temperature: 0.2, top_p: 0.9, stop: ["END"], user: "u-42",
        tools: [{ type: "function", function: { name: "get_weather", description: "Weather", parameters: { type: "object", properties: { location: { type: "string" } } } } }],
        tool_choice: { type: "function", function: { name: "get_weather" } }, parallel_tool_calls: false }],
    ["tool_choice any → required", { ...user("Hi"), tools: [{ name: "f", input_schema: { type: "object" } }], tool_choice: { type: "any" } },
      { tool_choice: "required" }],
    ["system messages inside the list stay where they are", { ...base, cache_control: { type: "ephemeral" }, messages: [
      { role: "user", content: "Hi" }, { role: "system", content: [{ type: "text", text: "Be brief." }] }] },
      { messages: [{ role: "user", content: "Hi" }, { role: "system", content: "Be brief." }] }],
    ["output_config: effort wins over the budget, format → strict json_schema", { ...user("Hi"),
      thinking: { type: "enabled", budget_tokens: 1024 }, output_config: { effort: "max", format: { type: "json_schema", schema: { type: "object" } } } },
      { reasoning_effort: "xhigh", response_format: { type: "json_schema", json_schema: { name: "output", schema: { type: "object" }, strict: true } } }],
    ["tool_choice none", { ...user("Hi"), tools: [{ name: "f", input_schema: { type: "object" } }], tool_choice: { type: "none" } },
      { tool_choice: "none" }],
    ["thinking budget → reasoning_effort", { ...user("Hi"), thinking: { type: "enabled", budget_tokens: 10000 } },
      { reasoning_effort: "high" }],
  ];
  for (const [name, body, want] of cases) {
    test(name, () => expect(toChatRequest(body, opts)).toMatchObject(want));
  }

  test("stream asks for usage, which Anthropic streams always report", () => {
    const out = toChatRequest({ ...user("Hi"), stream: true }, { ...opts, stream: true });
    expect(out.stream).toBe(true);
    expect(out.stream_options).toEqual({ include_usage: true });
    expect(toChatRequest(user("Hi"), opts).stream).toBeUndefined();
  });

  test("nothing else is added: thinking disabled, no tools, no stream", () => {
    expect(toChatRequest({ ...user("Hi"), thinking: { type: "disabled" } }, opts)).toEqual(toChatRequest({ ...user("Hi"), thinking: { type: "adaptive" } }, opts));
    expect(toChatRequest({ ...user("Hi"), thinking: { type: "disabled" } }, opts))
      .toEqual({ model: "gpt-4o-upstream", messages: [{ role: "user", content: "Hi" }], max_tokens: 1024 });
  });

  test("budget thresholds", () => {
    expect([1024, 2048, 2049, 8192, 8193, 32000].map(reasoningEffort)).toEqual(["low", "low", "medium", "medium", "high", "high"]);
  });

  const refused: [string, Record<string, unknown>][] = [
    ["top_k", { ...user("Hi"), top_k: 5 }],
    ["an unknown field", { ...user("Hi"), mcp_servers: [] }],
    ["a server tool", { ...user("Hi"), tools: [{ type: "web_search_20250305", name: "web_search" }] }],
    ["a file image source", user([{ type: "image", source: { type: "file", file_id: "file_1" } }])],
    ["a server tool result", { ...base, messages: [{ role: "assistant", content: [{ type: "server_tool_use", id: "s", name: "web_search", input: {} }] }] }],
    ["an unknown role", { ...base, messages: [{ role: "developer", content: "x" }] }],
    ["an unknown output_config field", { ...user("Hi"), output_config: { task_budget: 5 } }],
    ["an unknown thinking type", { ...user("Hi"), thinking: { type: "sometimes" } }],
  ];
  for (const [name, body] of refused) {
    test(`refuses ${name} with 400 unsupported_parameter`, () => {
      let err: unknown;
      try { toChatRequest(body, opts); } catch (e) { err = e; }
      expect(err).toBeInstanceOf(AdapterError);
      expect(err).toMatchObject({ status: 400, code: "unsupported_parameter" });
    });
  }
});
