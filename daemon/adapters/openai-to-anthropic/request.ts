// Chat Completions request → Messages API request. Every field is either translated, refused with
// 400 unsupported_parameter, or in HARMLESS below (no Anthropic equivalent, and dropping it changes
// nothing the client can observe beyond what OpenAI itself leaves unguaranteed).
import { convertMessages, invalid, unsupported } from "./messages";

type Json = Record<string, unknown>;

/**
 * Dropped without an equivalent:
 * - stream_options: consumed by the proxy (usage chunk), not by the upstream.
 * - seed: best-effort determinism in OpenAI; Anthropic has none.
 * - store, metadata: OpenAI's stored-completions features (user → metadata.user_id is translated).
 * - prompt_cache_key: a cache-routing hint for OpenAI's own cache.
 * - safety_identifier when `user` is also given (both become metadata.user_id; `user` wins).
 * Also dropped inside messages/tools: a message's `name`, an image part's `detail`, an assistant
 * message's `reasoning_content` (no signature to replay it), a function tool's `strict`, and fields
 * other providers add to tool calls (e.g. Gemini's `extra_content`): a tool_use block has no place.
 */
const HARMLESS = new Set(["stream_options", "seed", "store", "metadata", "prompt_cache_key"]);

/** Fields accepted only at their no-op value: anything else would change the answer. */
const NEUTRAL: Record<string, (v: unknown) => boolean> = {
  n: (v) => v === 1 || v === null,
  logprobs: (v) => v === false || v === null,
  top_logprobs: (v) => v === 0 || v === null,
  frequency_penalty: (v) => v === 0 || v === null,
  presence_penalty: (v) => v === 0 || v === null,
  logit_bias: (v) => v === null || (typeof v === "object" && Object.keys(v as Json).length === 0),
  response_format: (v) => v === null || (typeof v === "object" && (v as Json).type === "text"),
  modalities: (v) => v === null || (Array.isArray(v) && v.length === 1 && v[0] === "text"),
  service_tier: (v) => v === null || v === "auto" || v === "default",
};

const TRANSLATED = new Set([
  "model", "messages", "max_tokens", "max_completion_tokens", "stop", "temperature", "top_p", "top_k",
  "reasoning_effort", "user", "safety_identifier", "stream", "tools", "tool_choice", "parallel_tool_calls",
]);

/** reasoning_effort → thinking budget (Anthropic's minimum budget is 1024). */
export const THINKING_BUDGET: Record<string, number> = { low: 1024, medium: 4096, high: 16384 };

/**
 * Anthropic requires max_tokens; OpenAI does not. The default is a floor every model of the family
 * accepts (not the model's maximum): 8192 for Claude 3.5 and later, 4096 otherwise.
 */
export function defaultMaxTokens(model: string): number {
  return /claude-(3-5|3-7|(sonnet|opus|haiku)-[4-9])/.test(model) ? 8192 : 4096;
}

function checkFields(body: Json): void {
  for (const [key, value] of Object.entries(body)) {
    if (value === undefined || TRANSLATED.has(key) || HARMLESS.has(key)) continue;
    const neutral = NEUTRAL[key];
    if (neutral?.(value)) continue;
    throw unsupported(neutral
      ? `${key}=${JSON.stringify(value)} is not supported by an Anthropic upstream`
      : `${key} is not supported by an Anthropic upstream`);
  }
}

function tools(list: unknown): Json[] {
  if (!Array.isArray(list)) throw invalid("tools must be an array");
  return list.map((tool: Json, i) => {
    const fn = tool?.function as Json | undefined;
    if (tool?.type !== "function" || typeof fn !== "object" || fn === null) {
      throw unsupported(`tools[${i}]: only function tools are supported by an Anthropic upstream`);
    }
    const out: Json = { name: fn.name };
    if (fn.description !== undefined) out.description = fn.description;
    out.input_schema = fn.parameters ?? { type: "object", properties: {} };
    return out;
  });
}

function toolChoice(choice: unknown, parallel: unknown): Json | undefined {
  let out: Json | undefined;
  if (choice === "auto") out = { type: "auto" };
  else if (choice === "none") return { type: "none" }; // no parallel flag on "none"
  else if (choice === "required") out = { type: "any" };
  else if (typeof choice === "object" && choice !== null && (choice as Json).type === "function") {
    out = { type: "tool", name: ((choice as Json).function as Json | undefined)?.name };
  } else if (choice !== undefined && choice !== null) {
    throw unsupported(`tool_choice ${JSON.stringify(choice)} is not supported by an Anthropic upstream`);
  }
  if (parallel === false) out = { ...(out ?? { type: "auto" }), disable_parallel_tool_use: true };
  return out;
}

function stopSequences(stop: unknown): string[] | undefined {
  if (stop === undefined || stop === null) return undefined;
  if (typeof stop === "string") return [stop];
  if (Array.isArray(stop) && stop.every((s) => typeof s === "string")) return stop;
  throw invalid("stop must be a string or an array of strings");
}

function temperature(t: unknown): number | undefined {
  if (t === undefined || t === null) return undefined;
  if (typeof t !== "number") throw invalid("temperature must be a number");
  // OpenAI's range is 0–2, Anthropic's 0–1; rescaling would change what the client asked for.
  if (t > 1) throw unsupported(`temperature ${t} is above 1, the maximum of an Anthropic upstream`);
  return t;
}

function thinking(effort: unknown): number | undefined {
  if (effort === undefined || effort === null) return undefined;
  const budget = THINKING_BUDGET[effort as string];
  if (budget === undefined) throw unsupported(`reasoning_effort ${JSON.stringify(effort)} is not supported by an Anthropic upstream (low, medium, high)`);
  return budget;
}

function maxTokensOf(body: Json): number | undefined {
  const asked = body.max_completion_tokens ?? body.max_tokens;
  if (asked === undefined || asked === null) return undefined;
  if (!Number.isInteger(asked) || (asked as number) < 1) throw invalid("max_tokens must be a positive integer");
  return asked as number;
}

export function toMessagesRequest(body: Json, opts: { model: string; stream: boolean }): Json {
  checkFields(body);
  const { system, messages } = convertMessages(body.messages);
  let maxTokens = maxTokensOf(body) ?? defaultMaxTokens(opts.model);
  const budget = thinking(body.reasoning_effort);
  // The budget counts inside max_tokens: keep the room the client asked for the visible answer.
  if (budget !== undefined && maxTokens <= budget) maxTokens += budget;

  const out: Json = { model: opts.model, max_tokens: maxTokens };
  if (system.length > 0) out.system = system;
  out.messages = messages;
  if (body.tools !== undefined && body.tools !== null) out.tools = tools(body.tools);
  const choice = toolChoice(body.tool_choice, body.parallel_tool_calls);
  if (choice) out.tool_choice = choice;
  const stop = stopSequences(body.stop);
  if (stop) out.stop_sequences = stop;
  const temp = temperature(body.temperature);
  if (temp !== undefined) out.temperature = temp;
  if (body.top_p !== undefined && body.top_p !== null) out.top_p = body.top_p;
  if (body.top_k !== undefined && body.top_k !== null) out.top_k = body.top_k;
  if (budget !== undefined) out.thinking = { type: "enabled", budget_tokens: budget };
  const user = body.user ?? body.safety_identifier;
  if (user !== undefined && user !== null) {
    if (typeof user !== "string") throw invalid("user must be a string");
    out.metadata = { user_id: user };
  }
  out.stream = opts.stream;
  return out;
}
