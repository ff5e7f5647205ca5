// Mappings the whole answer and the stream share: ids, stop reasons, usage, Anthropic's error envelope.

export type Json = Record<string, unknown>;

export const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** Anthropic ids start with "msg_"; SDKs do not check, but logs and clients read better with the usual prefix. */
export function messageId(id: unknown): string {
  const s = typeof id === "string" && id ? id : "unknown";
  return s.startsWith("msg_") ? s : `msg_${s}`;
}

/** Current Anthropic answers say who called a tool; through OpenAI it is always the model itself. */
export const DIRECT = Object.freeze({ type: "direct" });

const STOP_REASONS: Record<string, string> = {
  stop: "end_turn",
  length: "max_tokens",
  tool_calls: "tool_use",
  function_call: "tool_use",
  content_filter: "refusal",
};

/**
 * OpenAI's finish_reason → Anthropic's stop_reason. Some OpenAI-compatible servers answer "stop" with tool
 * calls in the message; Anthropic clients (Claude Code) run tools on `tool_use`, so tool calls win.
 * A stop sequence cannot be told apart from a natural stop (OpenAI says "stop" for both): end_turn.
 */
export function stopReason(finish: unknown, sawToolCalls: boolean): string | null {
  if (typeof finish !== "string") return null;
  if (sawToolCalls && (finish === "stop" || finish === "tool_calls")) return "tool_use";
  return STOP_REASONS[finish] ?? "end_turn";
}

const count = (v: unknown): number => (typeof v === "number" && Number.isFinite(v) && v > 0 ? v : 0);

export interface AnthropicUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
}

/**
 * OpenAI's prompt_tokens include cached tokens; Anthropic's input_tokens do not. Cache reads come from
 * prompt_tokens_details.cached_tokens (DeepSeek: prompt_cache_hit_tokens), cache writes from Route's own
 * prompt_tokens_details.cache_creation_tokens extension.
 */
export function anthropicUsage(usage: unknown): AnthropicUsage {
  const u = isObject(usage) ? usage : {};
  const details = isObject(u.prompt_tokens_details) ? u.prompt_tokens_details : {};
  const read = count(details.cached_tokens ?? u.prompt_cache_hit_tokens);
  const write = count(details.cache_creation_tokens);
  return {
    input_tokens: Math.max(0, count(u.prompt_tokens) - read - write),
    output_tokens: count(u.completion_tokens),
    cache_creation_input_tokens: write,
    cache_read_input_tokens: read,
  };
}

const ERROR_TYPES: Record<number, string> = {
  400: "invalid_request_error",
  401: "authentication_error",
  402: "billing_error",
  403: "permission_error",
  404: "not_found_error",
  413: "request_too_large",
  429: "rate_limit_error",
  500: "api_error",
  503: "overloaded_error",
  504: "timeout_error",
  529: "overloaded_error",
};

/** The Anthropic error type for an HTTP status; the SDK picks its exception class from the status. */
export function anthropicErrorType(status: number): string {
  return ERROR_TYPES[status] ?? (status >= 400 && status < 500 ? "invalid_request_error" : "api_error");
}

/** Anthropic's error envelope: the body of an error answer, and the data of a stream's `error` event. */
export function anthropicError(type: string, message: string): string {
  return JSON.stringify({ type: "error", error: { type, message } });
}

/** An OpenAI-format error answer (or anything else an upstream sent) → Anthropic's envelope, status kept. */
export function translateError(status: number, body: unknown): { status: number; body: string } {
  return { status, body: anthropicError(anthropicErrorType(status), errorMessage(status, body)) };
}

export function errorMessage(status: number, body: unknown): string {
  const err = isObject(body) ? body.error : undefined;
  if (isObject(err) && typeof err.message === "string") return err.message;
  if (typeof err === "string") return err;
  if (isObject(body) && typeof body.message === "string") return body.message;
  return `upstream answered HTTP ${status}`;
}
