// Chat Completions `messages` → Messages API `system` + `messages`. Anthropic wants strictly
// alternating user/assistant turns and tool results inside a user turn, so same-role turns are merged
// (consecutive `tool` messages and a user message right after them become ONE user turn).
import { AdapterError } from "../types";

type Json = Record<string, unknown>;
type Block = Json;
interface Turn { role: "user" | "assistant"; content: Block[] }

export function unsupported(message: string): AdapterError {
  return new AdapterError(400, "unsupported_parameter", message);
}

export function invalid(message: string): AdapterError {
  return new AdapterError(400, "invalid_value", message);
}

const isObj = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** Prompt-caching hints some OpenAI-format clients put on parts: Anthropic has the same field. */
function withCache(block: Block, part: Json): Block {
  return part.cache_control === undefined ? block : { ...block, cache_control: part.cache_control };
}

const DATA_URL = /^data:([^;,]+);base64,(.*)$/s;

function imageBlock(part: Json, where: string): Block {
  const img = part.image_url;
  const url = isObj(img) ? img.url : img;
  if (typeof url !== "string") throw invalid(`${where}: image_url.url must be a string`);
  if (url.startsWith("data:")) {
    const m = DATA_URL.exec(url);
    if (!m) throw unsupported(`${where}: only base64 data: URLs can be sent to an Anthropic upstream`);
    return withCache({ type: "image", source: { type: "base64", media_type: m[1], data: m[2] } }, part);
  }
  if (/^https?:\/\//i.test(url)) return withCache({ type: "image", source: { type: "url", url } }, part);
  throw unsupported(`${where}: image URL scheme not supported by an Anthropic upstream`);
}

function textOf(part: Json, where: string): string {
  if (typeof part.text !== "string") throw invalid(`${where}: text part without a string text`);
  return part.text;
}

/** Content (string or parts) → blocks. `images`: whether image parts are allowed in this role. */
function contentBlocks(content: unknown, where: string, images: boolean): Block[] {
  if (content === null || content === undefined) return [];
  if (typeof content === "string") return content === "" ? [] : [{ type: "text", text: content }];
  if (!Array.isArray(content)) throw invalid(`${where}: content must be a string or an array of parts`);
  return content.map((part, i): Block => {
    const at = `${where}.content[${i}]`;
    if (!isObj(part)) throw invalid(`${at}: a part must be an object`);
    if (part.type === "text") return withCache({ type: "text", text: textOf(part, at) }, part);
    // An assistant's own refusal replayed in history is just its text to Anthropic.
    if (part.type === "refusal" && typeof part.refusal === "string") return { type: "text", text: part.refusal };
    if (part.type === "image_url" && images) return imageBlock(part, at);
    throw unsupported(`${at}: content part type ${JSON.stringify(part.type)} is not supported by an Anthropic upstream`);
  });
}

function toolUseBlocks(calls: unknown, where: string): Block[] {
  if (calls === undefined || calls === null) return [];
  if (!Array.isArray(calls)) throw invalid(`${where}.tool_calls must be an array`);
  return calls.map((call, i): Block => {
    const at = `${where}.tool_calls[${i}]`;
    if (!isObj(call) || !isObj(call.function) || call.type !== "function") {
      throw unsupported(`${at}: only function tool calls are supported by an Anthropic upstream`);
    }
    const fn = call.function;
    const raw = typeof fn.arguments === "string" && fn.arguments.trim() !== "" ? fn.arguments : "{}";
    let input: unknown;
    try { input = JSON.parse(raw); } catch { throw invalid(`${at}.function.arguments is not valid JSON`); }
    if (!isObj(input)) throw invalid(`${at}.function.arguments must be a JSON object`);
    return { type: "tool_use", id: call.id, name: fn.name, input };
  });
}

function toolResultBlock(msg: Json, where: string): Block {
  if (typeof msg.tool_call_id !== "string") throw invalid(`${where}.tool_call_id must be a string`);
  const content = typeof msg.content === "string" ? msg.content : contentBlocks(msg.content, where, false);
  return { type: "tool_result", tool_use_id: msg.tool_call_id, content };
}

function push(turns: Turn[], role: Turn["role"], content: Block[]): void {
  if (content.length === 0) return; // an empty message: Anthropic refuses it, and it says nothing
  const last = turns[turns.length - 1];
  if (last && last.role === role) last.content.push(...content);
  else turns.push({ role, content });
}

export interface Converted { system: Block[]; messages: Turn[] }

export function convertMessages(messages: unknown): Converted {
  if (!Array.isArray(messages)) throw invalid("messages must be an array");
  const system: Block[] = [];
  const turns: Turn[] = [];
  messages.forEach((msg, i) => {
    const at = `messages[${i}]`;
    if (!isObj(msg)) throw invalid(`${at} must be an object`);
    if (msg.function_call !== undefined || msg.audio !== undefined) {
      throw unsupported(`${at}: function_call/audio are not supported by an Anthropic upstream`);
    }
    switch (msg.role) {
      case "system":
      case "developer":
        system.push(...contentBlocks(msg.content, at, false));
        return;
      case "user":
        push(turns, "user", contentBlocks(msg.content, at, true));
        return;
      case "assistant":
        push(turns, "assistant", [...contentBlocks(msg.content, at, false), ...toolUseBlocks(msg.tool_calls, at)]);
        return;
      case "tool":
        push(turns, "user", [toolResultBlock(msg, at)]);
        return;
      default:
        throw unsupported(`${at}: role ${JSON.stringify(msg.role)} is not supported by an Anthropic upstream`);
    }
  });
  return { system, messages: turns };
}
