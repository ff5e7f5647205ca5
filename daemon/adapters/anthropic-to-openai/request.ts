// Anthropic Messages request → OpenAI Chat Completions request.
//
// Dropped because OpenAI has no equivalent and dropping changes nothing the client can observe:
// - `cache_control` on the request, any block or tool: OpenAI caches prompt prefixes automatically.
// - thinking / redacted_thinking blocks in history: Chat Completions has no field that takes them back,
//   and their signatures only mean something to Anthropic.
// - `citations` and `caller` on blocks in history, `service_tier`, `thinking` of type "disabled" (the
//   default) or "adaptive" (the model decides, as OpenAI reasoning models do).
// Approximations (documented in the README): `thinking.budget_tokens` → `reasoning_effort` (≤ 2048 low,
// ≤ 8192 medium, else high); `output_config.effort` → `reasoning_effort` (max → xhigh) and wins over the
// budget; `output_config.format` → a strict json_schema `response_format`; a tool_result with `is_error` reaches the model as text prefixed "[tool error] ";
// images in a tool_result travel in a user message right after the tool messages (tool messages take text
// only); system blocks are joined with a blank line. `max_tokens` stays `max_tokens` (o-series models want
// `max_completion_tokens`; servers that accept the former are the common case).
// Anything else OpenAI cannot express is refused with 400 unsupported_parameter.
import { AdapterError } from "../types.ts";
import { isObject, type Json } from "./shared.ts";

const PASSED = new Set(["model", "messages", "max_tokens", "system", "stream", "temperature", "top_p",
  "stop_sequences", "metadata", "tools", "tool_choice", "thinking", "output_config", "service_tier", "cache_control"]);

const refuse = (what: string): never => {
  throw new AdapterError(400, "unsupported_parameter", `${what} cannot be translated for an OpenAI-compatible upstream`);
};

const blocks = (content: unknown, where: string): Json[] => {
  if (typeof content === "string") return [{ type: "text", text: content }];
  if (!Array.isArray(content)) return refuse(`${where} content that is not a string or a list of blocks`);
  return content.map((b) => (isObject(b) ? b : refuse(`${where} content block that is not an object`)));
};

function systemMessage(system: unknown): Json[] {
  if (system === undefined || system === null) return [];
  const text = blocks(system, "system").map((b) => (b.type === "text" ? String(b.text ?? "") : refuse(`a system block of type ${b.type}`)));
  return [{ role: "system", content: text.join("\n\n") }];
}

function imagePart(block: Json): Json {
  const src = isObject(block.source) ? block.source : {};
  if (src.type === "base64") return { type: "image_url", image_url: { url: `data:${src.media_type};base64,${src.data}` } };
  if (src.type === "url") return { type: "image_url", image_url: { url: src.url } };
  return refuse(`an image source of type ${src.type}`);
}

function documentPart(block: Json): Json {
  const src = isObject(block.source) ? block.source : {};
  if (src.type === "text") return { type: "text", text: String(src.data ?? "") };
  if (src.type === "base64" && src.media_type === "application/pdf") {
    const file: Json = { file_data: `data:application/pdf;base64,${src.data}` };
    file.filename = typeof block.title === "string" ? block.title : "document.pdf";
    return { type: "file", file };
  }
  return refuse(`a document source of type ${src.type}`);
}

function userPart(block: Json): Json {
  if (block.type === "text") return { type: "text", text: block.text };
  if (block.type === "image") return imagePart(block);
  if (block.type === "document") return documentPart(block);
  return refuse(`a user content block of type ${block.type}`);
}

/** One tool message per tool_result; its images (tool messages take text only) go to the next user message. */
function toolMessage(block: Json, images: Json[]): Json {
  const texts: string[] = [];
  for (const b of block.content === undefined ? [] : blocks(block.content, "tool_result")) {
    if (b.type === "text") texts.push(String(b.text ?? ""));
    else if (b.type === "image") images.push(imagePart(b));
    else refuse(`a tool_result block of type ${b.type}`);
  }
  const text = texts.join("\n");
  return { role: "tool", tool_call_id: block.tool_use_id, content: block.is_error === true ? `[tool error] ${text}` : text };
}

function userMessages(content: unknown): Json[] {
  if (typeof content === "string") return [{ role: "user", content }];
  const out: Json[] = [];
  const parts: Json[] = [];
  for (const b of blocks(content, "user")) {
    if (b.type === "tool_result") out.push(toolMessage(b, parts));
    else parts.push(userPart(b));
  }
  if (parts.length > 0) out.push({ role: "user", content: parts });
  return out;
}

function assistantMessage(content: unknown): Json {
  if (typeof content === "string") return { role: "assistant", content };
  let text = "";
  const calls: Json[] = [];
  for (const b of blocks(content, "assistant")) {
    if (b.type === "text") text += String(b.text ?? "");
    else if (b.type === "tool_use") {
      calls.push({ id: b.id, type: "function", function: { name: b.name, arguments: JSON.stringify(b.input ?? {}) } });
    } else if (b.type !== "thinking" && b.type !== "redacted_thinking") refuse(`an assistant content block of type ${b.type}`);
  }
  const msg: Json = { role: "assistant", content: text === "" && calls.length > 0 ? null : text };
  if (calls.length > 0) msg.tool_calls = calls;
  return msg;
}

function messages(list: unknown): Json[] {
  if (!Array.isArray(list)) return refuse("`messages` that is not a list");
  return list.flatMap((m): Json[] => {
    if (!isObject(m)) return refuse("a message that is not an object");
    if (m.role === "user") return userMessages(m.content);
    if (m.role === "assistant") return [assistantMessage(m.content)];
    if (m.role === "system") return systemMessage(m.content);
    return refuse(`a message with role ${m.role}`);
  });
}

function tool(t: unknown): Json {
  if (!isObject(t)) return refuse("a tool that is not an object");
  if (t.type !== undefined && t.type !== "custom") refuse(`the server tool ${t.type}`);
  const fn: Json = { name: t.name };
  if (typeof t.description === "string") fn.description = t.description;
  fn.parameters = t.input_schema ?? { type: "object", properties: {} };
  return { type: "function", function: fn };
}

function toolChoice(choice: Json, out: Json): void {
  if (choice.type === "auto") out.tool_choice = "auto";
  else if (choice.type === "any") out.tool_choice = "required";
  else if (choice.type === "none") out.tool_choice = "none";
  else if (choice.type === "tool") out.tool_choice = { type: "function", function: { name: choice.name } };
  else refuse(`tool_choice of type ${choice.type}`);
  if (choice.disable_parallel_tool_use === true && Array.isArray(out.tools)) out.parallel_tool_calls = false;
}

export function reasoningEffort(budget: unknown): string {
  const n = typeof budget === "number" ? budget : 0;
  return n <= 2048 ? "low" : n <= 8192 ? "medium" : "high";
}

function thinking(t: unknown, out: Json): void {
  if (!isObject(t) || t.type === "disabled" || t.type === "adaptive") return;
  if (t.type !== "enabled") refuse(`thinking of type ${t.type}`);
  out.reasoning_effort = reasoningEffort(t.budget_tokens);
}

const EFFORTS: Record<string, string> = { low: "low", medium: "medium", high: "high", xhigh: "xhigh", max: "xhigh" };

function outputConfig(c: unknown, out: Json): void {
  if (!isObject(c)) return;
  for (const key of Object.keys(c)) if (key !== "effort" && key !== "format") refuse(`\`output_config.${key}\``);
  if (typeof c.effort === "string") out.reasoning_effort = EFFORTS[c.effort] ?? refuse(`output_config.effort ${c.effort}`);
  if (isObject(c.format)) {
    if (c.format.type !== "json_schema") refuse(`output_config.format of type ${c.format.type}`);
    out.response_format = { type: "json_schema", json_schema: { name: "output", schema: c.format.schema, strict: true } };
  }
}

export function toChatRequest(body: Json, opts: { model: string; stream: boolean }): Json {
  // top_k and every field not listed land here: refused, never silently dropped.
  for (const key of Object.keys(body)) if (!PASSED.has(key)) refuse(`\`${key}\``);
  const out: Json = { model: opts.model, messages: [...systemMessage(body.system), ...messages(body.messages)] };
  if (body.max_tokens !== undefined) out.max_tokens = body.max_tokens;
  if (body.temperature !== undefined) out.temperature = body.temperature;
  if (body.top_p !== undefined) out.top_p = body.top_p;
  if (Array.isArray(body.stop_sequences) && body.stop_sequences.length > 0) out.stop = body.stop_sequences;
  if (isObject(body.metadata) && typeof body.metadata.user_id === "string") out.user = body.metadata.user_id;
  if (Array.isArray(body.tools) && body.tools.length > 0) out.tools = body.tools.map(tool);
  if (isObject(body.tool_choice)) toolChoice(body.tool_choice, out);
  thinking(body.thinking, out);
  outputConfig(body.output_config, out);
  if (opts.stream) {
    out.stream = true;
    out.stream_options = { include_usage: true };
  }
  return out;
}
