// Assembles what the model said, for the request log: from SSE deltas (chat, completions,
// responses API) or from a whole JSON body. Also decides when a stream has "committed": the first
// event that carries model output, an error, or the end.
import { nextEventBoundary, SseParser, type SseEvent } from "./sse.ts";

/** Stream bytes kept for parsing at log time; a longer stream is parsed as it goes past this. */
const LATER_CAP = 4 << 20;

export interface Usage {
  promptTokens: number | null; // all input tokens, cached ones included (OpenAI's meaning)
  completionTokens: number | null; // all output tokens, reasoning included
  totalTokens: number | null;
  cachedTokens?: number | null; // of the prompt, read from the provider's cache
  cacheWriteTokens?: number | null; // of the prompt, written to it
  reasoningTokens?: number | null; // of the completion
}

const count = (...xs: unknown[]): number | null => {
  for (const x of xs) if (typeof x === "number" && Number.isFinite(x) && x >= 0) return x;
  return null;
};

export interface UpstreamErrorInfo {
  code: string | null;
  message: string;
}

export interface Reply {
  text: string | null;
  toolCalls: unknown[] | null;
  usage: Usage | null;
  error: UpstreamErrorInfo | null;
}

export type EventKind = "content" | "preamble" | "error" | "done";

interface ToolCallAcc {
  id?: string;
  type?: string;
  function: { name: string; arguments: string };
}

type Json = Record<string, any>;

/** Anthropic's usage: input_tokens leaves out what came from or went into the cache. */
const isAnthropicUsage = (u: Json) => u.prompt_tokens === undefined && (u.cache_read_input_tokens !== undefined || u.cache_creation_input_tokens !== undefined);

function usageOf(u: Json | undefined | null): Usage | null {
  if (!u || typeof u !== "object") return null;
  if (isAnthropicUsage(u)) {
    const read = count(u.cache_read_input_tokens) ?? 0;
    const write = count(u.cache_creation_input_tokens) ?? 0;
    const input = count(u.input_tokens);
    const prompt = input === null ? null : input + read + write;
    const completion = count(u.output_tokens);
    return { promptTokens: prompt, completionTokens: completion, totalTokens: prompt !== null && completion !== null ? prompt + completion : null, cachedTokens: read, cacheWriteTokens: write, reasoningTokens: null };
  }
  const prompt = u.prompt_tokens ?? u.input_tokens ?? null;
  const completion = u.completion_tokens ?? u.output_tokens ?? null;
  const total = u.total_tokens ?? (prompt !== null && completion !== null ? prompt + completion : null);
  const inDetails = u.prompt_tokens_details ?? u.input_tokens_details;
  const outDetails = u.completion_tokens_details ?? u.output_tokens_details;
  return {
    promptTokens: prompt,
    completionTokens: completion,
    totalTokens: total,
    // OpenAI (chat and Responses), and the Anthropic and DeepSeek names some compatible servers use.
    cachedTokens: count(inDetails?.cached_tokens, u.cache_read_input_tokens, u.prompt_cache_hit_tokens),
    cacheWriteTokens: count(inDetails?.cache_creation_tokens, inDetails?.cache_write_tokens, u.cache_creation_input_tokens),
    reasoningTokens: count(outDetails?.reasoning_tokens),
  };
}

function errorOf(e: unknown): UpstreamErrorInfo {
  if (e && typeof e === "object") {
    const o = e as Json;
    return { code: typeof o.code === "string" ? o.code : (o.type ?? null), message: String(o.message ?? JSON.stringify(o)) };
  }
  return { code: null, message: String(e) };
}

const decoder = new TextDecoder();
const DATA = Buffer.from("data: ");
const LAST_DONE = "\n\ndata: [DONE]\n\n";
const SEPARATOR = "\n\ndata: ";
/** The event `add` is given in the bulk path: its data comes parsed, and it has no name. */
const BULK_EVENT: SseEvent = { event: null, data: "" };

const isObjectText = (d: string) => d.charCodeAt(0) === 123 && d.charCodeAt(d.length - 1) === 125; // {…}

/**
 * The data of many events in one JSON.parse instead of one call per event, when every event but
 * [DONE] looks like one JSON object and the count comes out right; else undefined and each event
 * is parsed alone. Entries for [DONE] are null (never read).
 */
function parseAll(events: SseEvent[]): (Json | undefined)[] | undefined {
  const datas: string[] = [];
  for (const ev of events) {
    if (ev.data === "[DONE]") datas.push("null");
    else if (isObjectText(ev.data)) datas.push(ev.data);
    else return undefined;
  }
  try {
    const all = JSON.parse(`[${datas.join(",")}]`) as Json[];
    return all.length === events.length ? all : undefined;
  } catch {
    return undefined;
  }
}

export class StreamReply {
  private readonly parser = new SseParser();
  private later: Uint8Array[] = []; // committed bytes not parsed yet
  private laterBytes = 0;
  private texts: string[] = [];
  private tools = new Map<string, ToolCallAcc>();
  /** Responses API function calls by output index, as the output items a non-stream reply lists. */
  private items = new Map<number, Json>();
  private sequence = -1; // the last Responses event's sequence_number
  usage: Usage | null = null;
  error: UpstreamErrorInfo | null = null;

  /**
   * Before commit: parses a chunk now, event by event, up to its first content event; the bytes
   * after that wait for the log like later chunks (on loopback the first read often holds most of
   * the stream, and decoding it on the response path was the largest part of a stream's cost).
   * "error" if it holds an error event, "content" if it holds model output or the end, else
   * "preamble" (role-only chunks, comments, half an event).
   */
  read(chunk: Uint8Array): "error" | "content" | "preamble" {
    for (let at = 0; at < chunk.length; ) {
      const end = nextEventBoundary(chunk, at); // the parser keeps a partial event for the next read
      let kind: EventKind = "preamble";
      for (const ev of this.parser.push(chunk.subarray(at, end))) {
        const k = this.add(ev); // past the first content event: only recorded, as at log time
        if (kind === "content") continue;
        if (k === "error") return "error";
        if (k !== "preamble") kind = "content";
      }
      if (kind === "content") {
        if (end < chunk.length) this.keep(chunk.subarray(end));
        return "content";
      }
      at = end;
    }
    return "preamble";
  }

  /**
   * After commit: keeps the chunk and parses it when the log row is built, so forwarding a chunk
   * costs no decoding or JSON work on the response path.
   */
  keep(chunk: Uint8Array): void {
    this.later.push(chunk);
    this.laterBytes += chunk.length;
    if (this.laterBytes > LATER_CAP) this.catchUp();
  }

  /** Stream bytes held for parsing at log time (the log queue's byte bound counts them). */
  get keptBytes(): number {
    return this.laterBytes;
  }

  private catchUp(): void {
    if (this.later.length === 0) return;
    const chunks = this.later;
    this.later = [];
    this.laterBytes = 0;
    if (this.parser.idle && this.addInBulk(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks))) return;
    const events: SseEvent[] = [];
    for (const chunk of chunks) for (const ev of this.parser.push(chunk)) events.push(ev);
    const parsed = parseAll(events);
    for (let i = 0; i < events.length; i++) this.add(events[i]!, parsed?.[i]);
  }

  /**
   * The usual stream, whole events of one `data: ` line each (LF), as one JSON array: one decode,
   * one replace and one JSON.parse instead of a line split, an event object and a string per
   * event (12.3 -> 7.9 µs for the bench's 20-chunk stream). Anything else (an event name, a
   * comment, CR, data over several lines, data that is not JSON, [DONE] before the end) leaves a
   * token that is not JSON between the events: false, nothing added, and the caller parses it
   * event by event.
   */
  private addInBulk(bytes: Uint8Array): boolean {
    const n = bytes.length;
    if (n < 8 || !DATA.equals(bytes.subarray(0, 6)) || bytes[n - 1] !== 10 || bytes[n - 2] !== 10) return false;
    let text = decoder.decode(bytes);
    if (text.endsWith(LAST_DONE)) text = text.slice(0, -LAST_DONE.length + 2);
    let events = 1; // and one value each: `data: 1, 2` is not one event's JSON
    for (let i = text.indexOf(SEPARATOR); i >= 0; i = text.indexOf(SEPARATOR, i + 8)) events++;
    let objs: Json[];
    try {
      objs = JSON.parse(`[${text.slice(6, -2).replaceAll(SEPARATOR, ",")}]`);
    } catch {
      return false;
    }
    if (objs.length !== events) return false;
    for (const obj of objs) this.add(BULK_EVENT, obj);
    return true;
  }

  /** Feeds one SSE event (`obj`: its data, parsed already); returns what kind of event it was. */
  add(ev: SseEvent, obj?: Json): EventKind {
    if (ev.data === "[DONE]") return "done";
    if (obj === undefined) {
      try {
        obj = JSON.parse(ev.data) as Json;
      } catch {
        return "content"; // not JSON: not ours to interpret, but it is output
      }
    }
    if (obj === null || typeof obj !== "object") return "content";
    if (obj.error || ev.event === "error" || obj.type === "error" || obj.type === "response.failed") {
      this.error = errorOf(obj.error ?? obj.response?.error ?? obj);
      return "error";
    }
    if (obj.usage && obj.type !== "message_delta") this.usage = usageOf(obj.usage); // Anthropic's delta adds to message_start's
    if (typeof obj.type === "string") return obj.type.startsWith("response.") ? this.responsesEvent(obj) : this.anthropicEvent(obj);
    if (!Array.isArray(obj.choices)) return "preamble";
    let kind: EventKind = "preamble";
    for (const c of obj.choices as Json[]) {
      const i = typeof c.index === "number" ? c.index : 0;
      const d = c.delta;
      const piece = d ? d.content : c.text;
      if (typeof piece === "string" && piece.length > 0) {
        this.texts[i] = (this.texts[i] ?? "") + piece;
        kind = "content";
      }
      if (d && (d.reasoning_content || d.reasoning || d.refusal || d.function_call)) kind = "content";
      if (d && Array.isArray(d.tool_calls)) {
        for (const t of d.tool_calls as Json[]) this.addToolDelta(i, t);
        kind = "content";
      }
      if (c.finish_reason) kind = "content";
    }
    return kind;
  }

  private addToolDelta(choice: number, t: Json): void {
    const key = `${choice}:${t.index ?? 0}`;
    let acc = this.tools.get(key);
    if (!acc) this.tools.set(key, (acc = { function: { name: "", arguments: "" } }));
    if (t.id) acc.id = t.id;
    if (t.type) acc.type = t.type;
    if (t.function?.name) acc.function.name += t.function.name;
    if (t.function?.arguments) acc.function.arguments += t.function.arguments;
  }

  private responsesEvent(obj: Json): EventKind {
    if (typeof obj.sequence_number === "number") this.sequence = obj.sequence_number;
    const at = typeof obj.output_index === "number" ? obj.output_index : 0;
    switch (obj.type) {
      case "response.output_text.delta":
        this.texts[at] = (this.texts[at] ?? "") + (obj.delta ?? "");
        return "content";
      case "response.output_item.added":
      case "response.output_item.done":
        if (obj.item?.type === "function_call") {
          const acc = this.items.get(at);
          // "added" carries empty arguments that the deltas fill; "done" carries the whole call.
          this.items.set(at, { ...obj.item, arguments: obj.item.arguments || acc?.arguments || "" });
        }
        return "content";
      case "response.function_call_arguments.delta":
      case "response.function_call_arguments.done": {
        const item = this.items.get(at) ?? { type: "function_call", arguments: "" };
        item.arguments = obj.type.endsWith(".done") && typeof obj.arguments === "string" ? obj.arguments : item.arguments + (obj.delta ?? "");
        this.items.set(at, item);
        return "content";
      }
      case "response.completed":
      case "response.incomplete":
        this.usage = usageOf(obj.response?.usage) ?? this.usage;
        if (Array.isArray(obj.response?.output)) {
          // The final output is authoritative (and complete when deltas were missed).
          obj.response.output.forEach((item: Json, i: number) => item?.type === "function_call" && this.items.set(i, item));
        }
        return "content";
      case "response.created":
      case "response.in_progress":
        return "preamble";
      default:
        return obj.type.startsWith("response.output_item") || obj.type.includes(".delta") ? "content" : "preamble";
    }
  }

  /** Anthropic Messages events: text and tool_use blocks by their index, usage from start and delta. */
  private anthropicEvent(obj: Json): EventKind {
    const at = typeof obj.index === "number" ? obj.index : 0;
    switch (obj.type) {
      case "message_start":
        this.usage = usageOf(obj.message?.usage) ?? this.usage;
        return "preamble";
      case "content_block_start": {
        const b = obj.content_block;
        if (b?.type === "tool_use") {
          this.items.set(at, { type: "tool_use", id: b.id, name: b.name, input: "" });
          return "content";
        }
        if (b?.type === "text" && b.text) this.texts[at] = b.text;
        return b?.type === "text" && !b.text ? "preamble" : "content";
      }
      case "content_block_delta": {
        const d = obj.delta;
        if (d?.type === "text_delta") this.texts[at] = (this.texts[at] ?? "") + (d.text ?? "");
        else if (d?.type === "input_json_delta") {
          const item = this.items.get(at);
          if (item) item.input += d.partial_json ?? "";
        } else if (d?.type === "signature_delta") return "preamble";
        return "content";
      }
      case "message_delta": {
        // Output tokens (and, lately, the input side again) arrive here; keep what message_start said otherwise.
        const u = obj.usage ? usageOf({ ...(this.anthropicUsage ?? {}), ...obj.usage }) : null;
        if (u) this.usage = u;
        return "content";
      }
      case "message_stop":
      case "content_block_stop":
        return "content";
      default:
        return "preamble"; // ping, and events this version does not know
    }
  }

  private get anthropicUsage(): Json | null {
    const u = this.usage;
    if (!u) return null;
    const read = u.cachedTokens ?? 0;
    const write = u.cacheWriteTokens ?? 0;
    return { input_tokens: (u.promptTokens ?? 0) - read - write, cache_read_input_tokens: read, cache_creation_input_tokens: write, output_tokens: u.completionTokens ?? 0 };
  }

  /** The sequence_number an event appended to this Responses stream takes (parses what is kept). */
  nextSequenceNumber(): number {
    this.catchUp();
    return this.sequence + 1;
  }

  result(): Reply {
    this.catchUp();
    const texts = this.texts.filter((t) => t !== undefined);
    return {
      text: texts.length > 0 ? texts.join("\n\n") : null,
      toolCalls: this.tools.size > 0 ? [...this.tools.values()] : this.items.size > 0 ? [...this.items.entries()].sort((a, b) => a[0] - b[0]).map((e) => toolItem(e[1])) : null,
      usage: this.usage,
      error: this.error,
    };
  }
}

/** A streamed Anthropic tool_use block's input is JSON text until the end: parsed for the log. */
function toolItem(item: Json): Json {
  if (item.type !== "tool_use" || typeof item.input !== "string") return item;
  try {
    return { ...item, input: item.input === "" ? {} : JSON.parse(item.input) };
  } catch {
    return item; // cut mid-way: the text as it came
  }
}

function messageText(content: unknown): string | null {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) return content.map((p: Json) => p?.text ?? "").join("");
  return null;
}

/** Reply of a whole (non-stream) JSON body: chat, completions, responses, embeddings, errors. */
export function replyFromJson(obj: unknown): Reply {
  const reply: Reply = { text: null, toolCalls: null, usage: null, error: null };
  if (!obj || typeof obj !== "object") return reply;
  const o = obj as Json;
  if (o.error) reply.error = errorOf(o.error);
  reply.usage = usageOf(o.usage);
  const texts: string[] = [];
  const tools: unknown[] = [];
  if (Array.isArray(o.choices)) {
    for (const c of o.choices as Json[]) {
      const t = c.message ? messageText(c.message.content) : typeof c.text === "string" ? c.text : null;
      if (t !== null) texts.push(t);
      if (Array.isArray(c.message?.tool_calls)) tools.push(...c.message.tool_calls);
    }
  } else if (o.type === "message" && Array.isArray(o.content)) {
    // Anthropic Messages: text blocks and tool_use blocks.
    for (const b of o.content as Json[]) {
      if (b?.type === "text" && typeof b.text === "string") texts.push(b.text);
      else if (b?.type === "tool_use") tools.push(b);
    }
  } else if (Array.isArray(o.output)) {
    for (const item of o.output as Json[]) {
      if (item.type === "message" && Array.isArray(item.content)) texts.push(messageText(item.content) ?? "");
      else if (item.type === "function_call") tools.push(item);
    }
  }
  if (texts.length > 0) reply.text = texts.join("\n\n");
  if (tools.length > 0) reply.toolCalls = tools;
  return reply;
}
