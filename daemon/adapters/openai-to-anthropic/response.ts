// Messages API answer → chat.completion, and Anthropic errors → OpenAI's error envelope.
// - thinking blocks → message.reasoning_content (the field DeepSeek and others use; OpenAI has none);
//   redacted_thinking and any block type Chat Completions cannot carry are left out.
// - usage: Anthropic's input_tokens excludes cache reads and writes; prompt_tokens includes both,
//   prompt_tokens_details.cached_tokens = cache reads, .cache_creation_tokens = cache writes (Route's own).
// - created is 0: adapters are pure (no clock).
import type { TranslatedError } from "../types";

type Json = Record<string, unknown>;

/** pause_turn (a server tool paused a long turn) has no OpenAI equivalent; the turn did stop. */
const FINISH: Record<string, string> = {
  end_turn: "stop",
  stop_sequence: "stop",
  pause_turn: "stop",
  max_tokens: "length",
  model_context_window_exceeded: "length",
  tool_use: "tool_calls",
  refusal: "content_filter",
};

export function finishReason(stop: unknown): string | null {
  if (typeof stop !== "string") return null;
  return FINISH[stop] ?? "stop";
}

const num = (v: unknown): number => (typeof v === "number" ? v : 0);

export interface AnthropicUsage { input: number; output: number; cacheRead: number; cacheWrite: number }

export function readUsage(u: unknown, into?: AnthropicUsage): AnthropicUsage {
  const out = into ?? { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 };
  if (typeof u !== "object" || u === null) return out;
  const usage = u as Json;
  // message_delta repeats the totals in newer API versions; a field absent there keeps its value.
  if (typeof usage.input_tokens === "number") out.input = usage.input_tokens;
  if (typeof usage.output_tokens === "number") out.output = usage.output_tokens;
  if (typeof usage.cache_read_input_tokens === "number") out.cacheRead = usage.cache_read_input_tokens;
  if (typeof usage.cache_creation_input_tokens === "number") out.cacheWrite = usage.cache_creation_input_tokens;
  return out;
}

export function openaiUsage(u: AnthropicUsage): Json {
  const prompt = u.input + u.cacheRead + u.cacheWrite;
  return {
    prompt_tokens: prompt,
    completion_tokens: u.output,
    total_tokens: prompt + u.output,
    prompt_tokens_details: { cached_tokens: u.cacheRead, cache_creation_tokens: u.cacheWrite },
  };
}

export function toolCall(id: unknown, name: unknown, args: string): Json {
  return { id, type: "function", function: { name, arguments: args } };
}

export function toChatCompletion(body: Json, opts: { model: string }): Json {
  const blocks = Array.isArray(body.content) ? (body.content as Json[]) : [];
  let text = "";
  let reasoning = "";
  const calls: Json[] = [];
  for (const b of blocks) {
    if (b.type === "text") text += String(b.text ?? "");
    else if (b.type === "thinking") reasoning += String(b.thinking ?? "");
    else if (b.type === "tool_use") calls.push(toolCall(b.id, b.name, JSON.stringify(b.input ?? {})));
  }
  const message: Json = { role: "assistant", content: text === "" && calls.length > 0 ? null : text, refusal: null };
  if (reasoning !== "") message.reasoning_content = reasoning;
  if (calls.length > 0) message.tool_calls = calls;
  return {
    id: body.id,
    object: "chat.completion",
    created: 0,
    model: opts.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason(body.stop_reason) }],
    usage: openaiUsage(readUsage(body.usage)),
  };
}

/** Anthropic error type → OpenAI error type. overloaded_error is a 529 that becomes a 503. */
const ERROR_TYPE: Record<string, string> = {
  invalid_request_error: "invalid_request_error",
  request_too_large: "invalid_request_error",
  authentication_error: "authentication_error",
  permission_error: "permission_error",
  not_found_error: "invalid_request_error",
  rate_limit_error: "rate_limit_error",
  api_error: "server_error",
  overloaded_error: "server_error",
  timeout_error: "server_error",
};

const TYPE_BY_STATUS: Record<number, string> = {
  400: "invalid_request_error", 401: "authentication_error", 403: "permission_error",
  404: "invalid_request_error", 413: "invalid_request_error", 429: "rate_limit_error",
};

/** The `{error:{…}}` object for an Anthropic `{type:"error", error:{type, message}}` (or null). */
export function errorObject(status: number, body: unknown): Json {
  const err = (body as { error?: Json } | null)?.error;
  const aType = typeof err?.type === "string" ? err.type : undefined;
  const message = typeof err?.message === "string" ? err.message : `upstream answered with status ${status}`;
  const type = (aType && ERROR_TYPE[aType]) ?? TYPE_BY_STATUS[status] ?? "server_error";
  const code = aType ? aType.replace(/_error$/, "") : "upstream_error";
  return { error: { message, type, param: null, code } };
}

export function toOpenAIError(status: number, body: unknown): TranslatedError {
  return { status: status === 529 ? 503 : status, body: JSON.stringify(errorObject(status, body)) };
}
