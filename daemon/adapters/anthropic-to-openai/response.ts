// OpenAI chat.completion → Anthropic message. Only choices[0] exists (the request never sets `n`).
// Dropped, no Anthropic equivalent: logprobs, annotations, audio, system_fingerprint, service_tier.
// A refusal is the answer's text (stop_reason "refusal" comes from finish_reason content_filter).
import { anthropicUsage, DIRECT, isObject, messageId, stopReason, type Json } from "./shared.ts";

/**
 * A tool call's arguments → Anthropic's `input` object. Empty arguments (tools without parameters, on some
 * servers) are `{}`. Arguments that are not a JSON object are kept whole as `{"_raw": text}`, so the client
 * and the request log still see what the model wrote rather than an empty call.
 */
export function toolInput(args: unknown): Json {
  if (typeof args !== "string" || args.trim() === "") return {};
  try {
    const v: unknown = JSON.parse(args);
    if (isObject(v)) return v;
  } catch {
    // kept raw below
  }
  return { _raw: args };
}

/** The reasoning text some OpenAI-compatible servers add: `reasoning_content` (DeepSeek, vLLM) or `reasoning`. */
export function reasoningOf(m: Json): string {
  const r = m.reasoning_content ?? m.reasoning;
  return typeof r === "string" ? r : "";
}

function toolUses(calls: unknown): Json[] {
  if (!Array.isArray(calls)) return [];
  return calls.filter(isObject).map((c) => {
    const fn = isObject(c.function) ? c.function : {};
    return { type: "tool_use", id: c.id, name: fn.name, input: toolInput(fn.arguments), caller: DIRECT };
  });
}

export function toMessage(body: Json, opts: { model: string }): Json {
  const choice = Array.isArray(body.choices) && isObject(body.choices[0]) ? body.choices[0] : {};
  const msg = isObject(choice.message) ? choice.message : {};
  const content: Json[] = [];
  const reasoning = reasoningOf(msg);
  if (reasoning) content.push({ type: "thinking", thinking: reasoning, signature: "" });
  const text = typeof msg.content === "string" ? msg.content : typeof msg.refusal === "string" ? msg.refusal : "";
  if (text) content.push({ type: "text", text });
  const tools = toolUses(msg.tool_calls);
  content.push(...tools);
  return {
    id: messageId(body.id),
    type: "message",
    role: "assistant",
    model: opts.model,
    content,
    stop_reason: stopReason(choice.finish_reason, tools.length > 0) ?? "end_turn",
    stop_sequence: null,
    usage: anthropicUsage(body.usage),
  };
}
