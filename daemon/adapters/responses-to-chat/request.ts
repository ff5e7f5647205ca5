// OpenAI Responses request (POST /v1/responses) → a standard Chat Completions request.
//
// Dropped, because Route keeps no state and nothing the client observes changes:
// - `store`, `metadata`, `client_metadata` (Codex's telemetry), `background: false`, `truncation: "disabled"`, `previous_response_id: null`,
//   `stream_options` (Responses' include_obfuscation), `reasoning.summary` (Chat has no switch for it:
//   reasoning text the upstream gives comes back as a summary), `text.verbosity: "medium"` (the default),
//   `include: ["reasoning.encrypted_content"]` (Codex asks; there is none to include).
// - `reasoning` items in `input`: Chat Completions has no field that takes reasoning back.
// Mapped: `instructions` and the system/developer messages right after it → one system message (text
// joined by a blank line: many chat templates — Llama, Qwen — take a single leading system message only);
// `max_output_tokens` → `max_tokens` (what vLLM, SGLang, Ollama and resellers all accept; o-series
// OpenAI models want max_completion_tokens, but an OpenAI upstream speaks Responses itself);
// `safety_identifier` (or `user`) → `user`; `text.format` → `response_format`; `reasoning.effort` →
// `reasoning_effort`; other `text.verbosity` → `verbosity`; `prompt_cache_key`, `service_tier` kept.
// Refused (400): what needs server-side state (`previous_response_id`, `conversation`, `background`,
// `truncation: "auto"`, `prompt`, item references, file ids), built-in and custom tools, and any field
// Route does not know.
import { AdapterError } from "../types.ts";
import { isObject, type Json } from "../anthropic-to-openai/shared.ts";

const refuse = (what: string): never => {
  throw new AdapterError(400, "unsupported_parameter", `${what} cannot be served by a Chat Completions upstream`);
};
const stateful = (what: string): never => {
  throw new AdapterError(400, "unsupported_parameter", `${what} needs server-side state Route does not keep`);
};

const KNOWN = new Set(["model", "input", "instructions", "stream", "stream_options", "tools", "tool_choice",
  "parallel_tool_calls", "max_output_tokens", "temperature", "top_p", "text", "reasoning", "user",
  "safety_identifier", "metadata", "client_metadata", "store", "truncation", "include", "service_tier", "prompt_cache_key",
  "previous_response_id", "conversation", "background", "prompt"]);
const INCLUDABLE = new Set(["reasoning.encrypted_content"]);

function checkFields(body: Json): void {
  for (const [k, v] of Object.entries(body)) if (!KNOWN.has(k) && v !== undefined && v !== null) refuse(`the field "${k}"`);
  for (const k of ["previous_response_id", "conversation", "prompt"]) if (body[k] != null) stateful(`"${k}"`);
  if (body.background === true) stateful(`"background": true`);
  if (body.truncation != null && body.truncation !== "disabled") stateful(`"truncation": "${body.truncation}"`);
  if (body.include != null) {
    if (!Array.isArray(body.include)) refuse(`"include" that is not a list`);
    for (const i of body.include as unknown[]) if (!INCLUDABLE.has(String(i))) refuse(`"include": "${i}"`);
  }
}

const TEXT_PARTS = new Set(["input_text", "output_text", "text", "summary_text"]);

function part(p: unknown): Json {
  if (!isObject(p)) return refuse("a content part that is not an object");
  if (TEXT_PARTS.has(String(p.type))) return { type: "text", text: String(p.text ?? "") };
  if (p.type === "refusal") return { type: "text", text: String(p.refusal ?? "") };
  if (p.type === "input_image") {
    if (typeof p.image_url !== "string") return stateful("an input_image given by file_id");
    const detail = p.detail != null && p.detail !== "auto" ? { detail: p.detail } : {};
    return { type: "image_url", image_url: { url: p.image_url, ...detail } };
  }
  if (p.type === "input_file") {
    if (typeof p.file_data !== "string") return stateful("an input_file given by file_id or file_url");
    return { type: "file", file: { file_data: p.file_data, ...(p.filename ? { filename: p.filename } : {}) } };
  }
  return refuse(`a content part of type "${p.type}"`);
}

/** Text-only content becomes one string: servers that take only strings (system, assistant, many vLLM templates) are common. */
function content(c: unknown, role: string): string | Json[] {
  if (typeof c === "string") return c;
  if (!Array.isArray(c)) return refuse(`${role} content that is not a string or a list of parts`);
  const parts = c.map(part);
  if (parts.every((p) => p.type === "text")) return parts.map((p) => p.text).join("");
  if (role !== "user") return refuse(`a ${role} message with non-text content`);
  return parts;
}

const ROLES: Record<string, string> = { user: "user", assistant: "assistant", system: "system", developer: "system" };

function toolOutput(output: unknown): string {
  if (typeof output === "string") return output;
  if (!Array.isArray(output)) return refuse("a function_call_output whose output is not a string or a list of parts");
  return output.map((p) => {
    const t = part(p);
    return t.type === "text" ? t.text : refuse("a function_call_output with non-text parts");
  }).join("");
}

/** Responses `input` → Chat messages. A turn's text and its function calls become one assistant message. */
function messages(input: unknown): Json[] {
  if (typeof input === "string") return [{ role: "user", content: input }];
  if (input == null) return [];
  if (!Array.isArray(input)) return refuse(`"input" that is not a string or a list of items`);
  const out: Json[] = [];
  for (const item of input) {
    if (!isObject(item)) refuse("an input item that is not an object");
    const type = (item as Json).type ?? "message";
    const it = item as Json;
    if (type === "message") {
      const role = ROLES[String(it.role)] ?? refuse(`a message with role "${it.role}"`);
      out.push({ role, content: content(it.content, role) });
    } else if (type === "function_call") {
      const call = { id: String(it.call_id ?? ""), type: "function", function: { name: String(it.name ?? ""), arguments: String(it.arguments ?? "") } };
      const last = out[out.length - 1];
      if (last?.role === "assistant") last.tool_calls = [...((last.tool_calls as Json[]) ?? []), call];
      else out.push({ role: "assistant", content: null, tool_calls: [call] });
    } else if (type === "function_call_output") {
      out.push({ role: "tool", tool_call_id: String(it.call_id ?? ""), content: toolOutput(it.output) });
    } else if (type === "reasoning") {
      continue;
    } else if (type === "item_reference") {
      stateful("an item_reference input item");
    } else {
      refuse(`an input item of type "${type}"`);
    }
  }
  return out;
}

function tools(list: unknown): Json[] | undefined {
  if (list == null) return undefined;
  if (!Array.isArray(list)) return refuse(`"tools" that is not a list`);
  if (list.length === 0) return undefined;
  return list.map((t) => {
    if (!isObject(t) || t.type !== "function") return refuse(`the built-in tool "${isObject(t) ? t.type : t}"`);
    const fn: Json = { name: t.name };
    if (t.description != null) fn.description = t.description;
    if (t.parameters != null) fn.parameters = t.parameters;
    if (t.strict != null) fn.strict = t.strict;
    return { type: "function", function: fn };
  });
}

function toolChoice(c: unknown): unknown {
  if (c == null || c === "auto" || c === "none" || c === "required") return c ?? undefined;
  if (isObject(c) && c.type === "function") return { type: "function", function: { name: c.name } };
  return refuse(`"tool_choice" of ${JSON.stringify(c)}`);
}

function responseFormat(text: unknown): { response_format?: Json; verbosity?: unknown } {
  if (text == null) return {};
  if (!isObject(text)) return refuse(`"text" that is not an object`);
  const out: { response_format?: Json; verbosity?: unknown } = {};
  if (text.verbosity != null && text.verbosity !== "medium") out.verbosity = text.verbosity;
  const f = text.format;
  if (f == null || (isObject(f) && f.type === "text")) return out;
  if (!isObject(f)) return refuse(`"text.format" that is not an object`);
  if (f.type === "json_object") out.response_format = { type: "json_object" };
  else if (f.type === "json_schema") {
    const schema: Json = { name: f.name ?? "response", schema: f.schema };
    if (f.description != null) schema.description = f.description;
    if (f.strict != null) schema.strict = f.strict;
    out.response_format = { type: "json_schema", json_schema: schema };
  } else refuse(`"text.format" of type "${f.type}"`);
  return out;
}

/** The leading system messages as one. */
function leadingSystem(instructions: unknown, msgs: Json[]): Json[] {
  const texts = instructions != null && instructions !== "" ? [String(instructions)] : [];
  let n = 0;
  while (n < msgs.length && msgs[n]!.role === "system") texts.push(String(msgs[n++]!.content));
  return texts.length > 0 ? [{ role: "system", content: texts.join("\n\n") }, ...msgs.slice(n)] : msgs;
}

export function toChatRequest(body: Json, opts: { model: string; stream: boolean }): Json {
  checkFields(body);
  const out: Json = { model: opts.model, messages: leadingSystem(body.instructions, messages(body.input)) };
  const set = (k: string, v: unknown) => { if (v !== undefined && v !== null) out[k] = v; };
  set("tools", tools(body.tools));
  set("tool_choice", toolChoice(body.tool_choice));
  set("parallel_tool_calls", body.parallel_tool_calls);
  set("max_tokens", body.max_output_tokens);
  set("temperature", body.temperature);
  set("top_p", body.top_p);
  Object.assign(out, responseFormat(body.text));
  if (body.reasoning != null && !isObject(body.reasoning)) refuse(`"reasoning" that is not an object`);
  set("reasoning_effort", isObject(body.reasoning) ? body.reasoning.effort : undefined);
  set("user", body.safety_identifier ?? body.user);
  set("prompt_cache_key", body.prompt_cache_key);
  set("service_tier", body.service_tier);
  if (opts.stream) Object.assign(out, { stream: true, stream_options: { include_usage: true } });
  return out;
}
