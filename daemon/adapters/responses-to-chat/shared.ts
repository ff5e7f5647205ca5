// What the whole answer and the stream share: ids, status, usage, the response object's frame, errors.
//
// The adapter never sees the request when it translates the answer, so the fields a response object echoes
// from its request (instructions, tools, tool_choice, temperature, top_p, text, max_output_tokens…) carry
// their defaults. The SDKs require the fields to be present, not to match the request.
import { errorBody } from "../../proxy/openai-error.ts";
import { errorMessage, isObject, type Json } from "../anthropic-to-openai/shared.ts";
import type { TranslatedError } from "../types.ts";

/** Ids derive from the upstream's completion id, so the same answer always gives the same ids. */
export const ids = (chatId: unknown) => {
  const base = (typeof chatId === "string" && chatId ? chatId : "unknown").replace(/^chatcmpl-/, "");
  return {
    response: `resp_${base}`,
    message: `msg_${base}`,
    reasoning: `rs_${base}`,
    call: (n: number) => `fc_${base}_${n}`,
  };
};

/** finish_reason → the response's status and incomplete_details. */
export function statusOf(finish: unknown): { status: string; incomplete_details: Json | null } {
  if (finish === "length") return { status: "incomplete", incomplete_details: { reason: "max_output_tokens" } };
  if (finish === "content_filter") return { status: "incomplete", incomplete_details: { reason: "content_filter" } };
  return { status: "completed", incomplete_details: null };
}

const count = (v: unknown): number => (typeof v === "number" && Number.isFinite(v) && v > 0 ? v : 0);

/** Chat usage → Responses usage. Cached tokens: prompt_tokens_details.cached_tokens (DeepSeek: prompt_cache_hit_tokens). */
export function responsesUsage(usage: unknown): Json | null {
  if (!isObject(usage)) return null;
  const prompt = isObject(usage.prompt_tokens_details) ? usage.prompt_tokens_details : {};
  const completion = isObject(usage.completion_tokens_details) ? usage.completion_tokens_details : {};
  const input = count(usage.prompt_tokens);
  const output = count(usage.completion_tokens);
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: count(prompt.cached_tokens ?? usage.prompt_cache_hit_tokens) },
    output_tokens: output,
    output_tokens_details: { reasoning_tokens: count(completion.reasoning_tokens) },
    total_tokens: count(usage.total_tokens) || input + output,
  };
}

/** The response object around its output: every field the openai SDK's type and the AI SDK's schema read. */
export function responseObject(f: { id: string; created: unknown; model: string; status: string; output: Json[];
  incomplete_details?: Json | null; usage?: Json | null }): Json {
  return {
    id: f.id, object: "response", created_at: count(f.created), status: f.status, background: false, error: null,
    incomplete_details: f.incomplete_details ?? null, instructions: null, max_output_tokens: null, model: f.model,
    output: f.output, parallel_tool_calls: true, previous_response_id: null, reasoning: { effort: null, summary: null },
    store: false, temperature: null, text: { format: { type: "text" } }, tool_choice: "auto", tools: [], top_p: null,
    truncation: "disabled", usage: f.usage ?? null, user: null, metadata: {},
  };
}

export const messageItem = (id: string, status: string, content: Json[]): Json =>
  ({ id, type: "message", status, role: "assistant", content });
export const textPart = (text: string): Json => ({ type: "output_text", annotations: [], text });
export const reasoningItem = (id: string, text: string | null): Json =>
  ({ id, type: "reasoning", summary: text === null ? [] : [{ type: "summary_text", text }] });
export const callItem = (id: string, call_id: string, name: string, args: string, status: string): Json =>
  ({ id, type: "function_call", status, arguments: args, call_id, name });

/** The upstream already speaks OpenAI's envelope: keep it (status too); anything else gets one. */
export function translateError(status: number, body: unknown): TranslatedError {
  const err = isObject(body) ? body.error : undefined;
  if (isObject(err) && typeof err.message === "string") {
    return { status, body: JSON.stringify({ error: { message: err.message, type: err.type ?? "upstream_error", param: err.param ?? null, code: err.code ?? null } }) };
  }
  return { status, body: errorBody(status, "upstream_error", errorMessage(status, body)) };
}
