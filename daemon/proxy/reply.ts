// Assembles what the model said, for the request log: from SSE deltas (chat, completions,
// responses API) or from a whole JSON body. Also decides when a stream has "committed": the first
// event that carries model output, an error, or the end.
import type { SseEvent } from "./sse.ts";

export interface Usage {
  promptTokens: number | null;
  completionTokens: number | null;
  totalTokens: number | null;
}

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

function usageOf(u: Json | undefined | null): Usage | null {
  if (!u || typeof u !== "object") return null;
  const prompt = u.prompt_tokens ?? u.input_tokens ?? null;
  const completion = u.completion_tokens ?? u.output_tokens ?? null;
  const total = u.total_tokens ?? (prompt !== null && completion !== null ? prompt + completion : null);
  return { promptTokens: prompt, completionTokens: completion, totalTokens: total };
}

function errorOf(e: unknown): UpstreamErrorInfo {
  if (e && typeof e === "object") {
    const o = e as Json;
    return { code: typeof o.code === "string" ? o.code : (o.type ?? null), message: String(o.message ?? JSON.stringify(o)) };
  }
  return { code: null, message: String(e) };
}

export class StreamReply {
  private texts: string[] = [];
  private tools = new Map<string, ToolCallAcc>();
  usage: Usage | null = null;
  error: UpstreamErrorInfo | null = null;

  /** Feeds one SSE event; returns what kind of event it was. */
  add(ev: SseEvent): EventKind {
    if (ev.data === "[DONE]") return "done";
    let obj: Json;
    try {
      obj = JSON.parse(ev.data);
    } catch {
      return "content"; // not JSON: not ours to interpret, but it is output
    }
    if (obj === null || typeof obj !== "object") return "content";
    if (obj.error || ev.event === "error" || obj.type === "error" || obj.type === "response.failed") {
      this.error = errorOf(obj.error ?? obj.response?.error ?? obj);
      return "error";
    }
    if (obj.usage) this.usage = usageOf(obj.usage);
    if (typeof obj.type === "string") return this.responsesEvent(obj);
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
    switch (obj.type) {
      case "response.output_text.delta":
        this.texts[0] = (this.texts[0] ?? "") + (obj.delta ?? "");
        return "content";
      case "response.completed":
      case "response.incomplete":
        this.usage = usageOf(obj.response?.usage) ?? this.usage;
        return "content";
      case "response.created":
      case "response.in_progress":
        return "preamble";
      default:
        return obj.type.startsWith("response.output_item") || obj.type.includes(".delta") ? "content" : "preamble";
    }
  }

  result(): Reply {
    const texts = this.texts.filter((t) => t !== undefined);
    return {
      text: texts.length > 0 ? texts.join("\n\n") : null,
      toolCalls: this.tools.size > 0 ? [...this.tools.values()] : null,
      usage: this.usage,
      error: this.error,
    };
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
