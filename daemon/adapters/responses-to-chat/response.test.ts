import { describe, expect, test } from "bun:test";
import { responsesToChat } from "./index.ts";

const fixture = async (name: string) => JSON.parse(await Bun.file(`${import.meta.dir}/../fixtures/openai/${name}`).text());
const translate = async (name: string) => responsesToChat.response(await fixture(name), { model: "route-alias" });

describe("chat.completion → response object", () => {
  test("text: one message item, usage with cached tokens, the fields the SDKs require", async () => {
    const r = await translate("text.json");
    const chat = await fixture("text.json");
    expect(r).toMatchObject({ id: `resp_${chat.id.replace("chatcmpl-", "")}`, object: "response", created_at: chat.created, status: "completed",
      model: "route-alias", incomplete_details: null, error: null, parallel_tool_calls: true, tool_choice: "auto", tools: [],
      instructions: null, temperature: null, top_p: null, metadata: {} });
    expect(r.output).toEqual([{ id: `msg_${chat.id.replace("chatcmpl-", "")}`, type: "message", status: "completed", role: "assistant",
      content: [{ type: "output_text", annotations: [], text: chat.choices[0].message.content }] }]);
    expect(r.usage).toEqual({ input_tokens: chat.usage.prompt_tokens, input_tokens_details: { cached_tokens: chat.usage.prompt_tokens_details.cached_tokens },
      output_tokens: chat.usage.completion_tokens, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: chat.usage.total_tokens });
  });

  test("tool calls: text then one function_call item per call, call_id from the chat id", async () => {
    const r = await translate("tools.json");
    expect(r.output).toEqual([
      { id: "msg_CHx5bR2tYw9mKp0sLq7aZxVn3UeJd", type: "message", status: "completed", role: "assistant",
        content: [{ type: "output_text", annotations: [], text: "Let me check both." }] },
      { id: "fc_CHx5bR2tYw9mKp0sLq7aZxVn3UeJd_0", type: "function_call", status: "completed", arguments: "{\"location\": \"Paris, France\"}",
        call_id: "call_Hq4mZ8vTnR2xLp6sWb0kYe3J", name: "get_weather" },
      { id: "fc_CHx5bR2tYw9mKp0sLq7aZxVn3UeJd_1", type: "function_call", status: "completed", arguments: "{\"timezone\": \"Europe/Paris\"}",
        call_id: "call_Ua7cN1oKj5dXf9gEt2rPm8Qs", name: "get_time" },
    ]);
    expect(r.status).toBe("completed");
  });

  test("reasoning_content → a reasoning item with its summary; length → incomplete max_output_tokens", async () => {
    const r = await translate("reasoning.json");
    expect(r.output).toMatchObject([{ type: "reasoning", summary: [{ type: "summary_text", text: "The user asks 2+2. That is 4." }] },
      { type: "message", content: [{ type: "output_text", text: "2 + 2 = 4." }] }]);
    expect([r.status, r.incomplete_details]).toEqual(["incomplete", { reason: "max_output_tokens" }]);
    expect(r.usage).toMatchObject({ output_tokens_details: { reasoning_tokens: 22 } });
  });

  const minimal = (message: Record<string, unknown>, finish_reason: string) =>
    responsesToChat.response({ id: "c9", created: 5, choices: [{ index: 0, message: { role: "assistant", ...message }, finish_reason }] }, { model: "m" });

  test("content_filter → incomplete content_filter; a refusal → a refusal part", () => {
    const r = minimal({ content: null, refusal: "I can't help with that." }, "content_filter");
    expect([r.status, r.incomplete_details]).toEqual(["incomplete", { reason: "content_filter" }]);
    expect(r.output).toEqual([{ id: "msg_c9", type: "message", status: "completed", role: "assistant",
      content: [{ type: "refusal", refusal: "I can't help with that." }] }]);
  });

  test("ids are deterministic, no usage stays null, no text gives no message item", () => {
    const a = minimal({ content: "", tool_calls: [{ id: "call_x", type: "function", function: { name: "f", arguments: "{}" } }] }, "tool_calls");
    expect(a).toEqual(minimal({ content: "", tool_calls: [{ id: "call_x", type: "function", function: { name: "f", arguments: "{}" } }] }, "tool_calls"));
    expect(a.usage).toBeNull();
    expect((a.output as { type: string }[]).map((o) => o.type)).toEqual(["function_call"]);
  });
});

describe("errors", () => {
  test("an OpenAI envelope keeps its status, message, type and code", async () => {
    const body = await fixture("error-429.json");
    const e = responsesToChat.error(429, body);
    expect(e.status).toBe(429);
    expect(JSON.parse(e.body)).toEqual(body);
  });

  test("anything else gets Route's envelope", () => {
    const e = responsesToChat.error(502, "<html>bad gateway</html>");
    expect(e.status).toBe(502);
    expect(JSON.parse(e.body)).toEqual({ error: { message: "upstream answered HTTP 502", type: "server_error", param: null, code: "upstream_error" } });
  });
});
