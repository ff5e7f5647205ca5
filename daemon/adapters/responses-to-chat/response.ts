// A whole chat.completion → a Responses API response object. Output items in the order a Responses model
// emits them: reasoning (from `reasoning_content` / `reasoning`, as a summary), the message (text, or a
// refusal part), then one function_call item per tool call. Choices after the first are not read (the
// request never asks for n > 1).
import { reasoningOf } from "../anthropic-to-openai/response.ts";
import { isObject, type Json } from "../anthropic-to-openai/shared.ts";
import { callItem, ids, messageItem, reasoningItem, responseObject, responsesUsage, statusOf, textPart } from "./shared.ts";

function callsOf(calls: unknown, id: ReturnType<typeof ids>): Json[] {
  if (!Array.isArray(calls)) return [];
  return calls.filter(isObject).map((c, n) => {
    const fn = isObject(c.function) ? c.function : {};
    const args = typeof fn.arguments === "string" ? fn.arguments : JSON.stringify(fn.arguments ?? {});
    return callItem(id.call(n), String(c.id ?? id.call(n)), String(fn.name ?? ""), args, "completed");
  });
}

export function toResponse(body: Json, opts: { model: string }): Json {
  const id = ids(body.id);
  const choice = Array.isArray(body.choices) && isObject(body.choices[0]) ? body.choices[0] : {};
  const msg = isObject(choice.message) ? choice.message : {};
  const output: Json[] = [];
  const reasoning = reasoningOf(msg);
  if (reasoning) output.push(reasoningItem(id.reasoning, reasoning));
  const content: Json[] = [];
  if (typeof msg.content === "string" && msg.content) content.push(textPart(msg.content));
  if (typeof msg.refusal === "string" && msg.refusal) content.push({ type: "refusal", refusal: msg.refusal });
  if (content.length > 0) output.push(messageItem(id.message, "completed", content));
  output.push(...callsOf(msg.tool_calls, id));
  return responseObject({ id: id.response, created: body.created, model: opts.model, output,
    usage: responsesUsage(body.usage), ...statusOf(choice.finish_reason) });
}
