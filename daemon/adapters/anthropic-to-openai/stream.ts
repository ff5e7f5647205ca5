// OpenAI chat.completion.chunk SSE → Anthropic Messages stream events, chunk by chunk.
// Content blocks are numbered 0,1,2… in emission order: reasoning (`reasoning_content` / `reasoning`) →
// a thinking block (no signature: OpenAI-compatible servers have none), content and refusal → a text block,
// each tool call → a tool_use block whose arguments arrive as input_json_delta. A block closes when
// another begins or the answer finishes. OpenAI reports usage only at the end (in a usage-only chunk
// after the finish chunk), so message_start carries zeros and message_delta carries the real counts —
// input and cache tokens included; the SDK takes them from there. message_delta waits for that usage
// chunk or [DONE] (or end()), never longer. State is a few counters plus one small entry per tool call.
import type { StreamTranslator } from "../types.ts";
import { ChatChunkReader, type ChatStreamItem } from "../chat-chunks.ts";
import { anthropicError, anthropicUsage, DIRECT, isObject, messageId, stopReason, type Json } from "./shared.ts";
import { reasoningOf } from "./response.ts";
import { sseEvent } from "./sse.ts";

const MAX_TOOL_CALLS = 1024;

interface Tool { id: string; block: number }

export class ChunkToMessageStream implements StreamTranslator {
  private readonly reader = new ChatChunkReader();
  private started = false;
  private stopped = false; // message_stop or an error event went out: nothing more
  private nextBlock = 0;
  private open: { kind: "text" | "thinking" | "tool"; block: number } | null = null;
  private readonly tools = new Map<number, Tool>(); // OpenAI tool-call index → its block
  private lastTool = -1;
  private finish: unknown = null;
  private usage: unknown = null;

  constructor(private readonly model: string) {}

  push(events: string): string {
    return this.take(this.reader.read(events));
  }

  end(): string {
    let out = this.take(this.reader.flush());
    if (!this.stopped && this.finish !== null) out += this.finishMessage();
    return out; // no finish_reason: nothing is invented
  }

  private take(items: ChatStreamItem[]): string {
    let out = "";
    for (const item of items) {
      if (this.stopped) break;
      out += this.onItem(item);
    }
    return out;
  }

  fail(_code: string, message: string): string {
    if (this.stopped) return "";
    this.stopped = true;
    return `event: error\ndata: ${anthropicError("api_error", message)}\n\n`;
  }

  private onItem(item: ChatStreamItem): string {
    if (item.kind === "done") return this.finish !== null ? this.finishMessage() : "";
    if (item.kind === "error") return this.fail(item.code, item.message);
    const chunk = item.chunk;
    let out = this.start(chunk);
    const choice = Array.isArray(chunk.choices) ? chunk.choices[0] : undefined;
    if (isObject(choice)) {
      out += this.onDelta(isObject(choice.delta) ? choice.delta : {});
      if (choice.finish_reason != null && this.finish === null) {
        out += this.close();
        this.finish = choice.finish_reason;
      }
    }
    if (isObject(chunk.usage)) {
      this.usage = chunk.usage;
      if (this.finish !== null) out += this.finishMessage();
    }
    return out;
  }

  private start(chunk: Json): string {
    if (this.started) return "";
    this.started = true;
    const usage = { input_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 0 };
    const message = { id: messageId(chunk.id), type: "message", role: "assistant", model: this.model, content: [],
      stop_reason: null, stop_sequence: null, usage };
    return sseEvent("message_start", { message });
  }

  private onDelta(delta: Json): string {
    let out = "";
    const reasoning = reasoningOf(delta);
    if (reasoning) out += this.into("thinking", { type: "thinking", thinking: "", signature: "" }) + this.delta({ type: "thinking_delta", thinking: reasoning });
    for (const text of [delta.content, delta.refusal]) {
      if (typeof text === "string" && text) out += this.into("text", { type: "text", text: "" }) + this.delta({ type: "text_delta", text });
    }
    if (Array.isArray(delta.tool_calls)) for (const tc of delta.tool_calls) if (isObject(tc)) out += this.toolDelta(tc);
    return out;
  }

  /** Makes a block of this kind the open one (closing the previous); "" when it already is. */
  private into(kind: "text" | "thinking", block: Json): string {
    if (this.open?.kind === kind) return "";
    return this.close() + this.begin(kind, block);
  }

  private begin(kind: "text" | "thinking" | "tool", content_block: Json): string {
    this.open = { kind, block: this.nextBlock++ };
    return sseEvent("content_block_start", { index: this.open.block, content_block });
  }

  private close(): string {
    if (!this.open) return "";
    const index = this.open.block;
    this.open = null;
    return sseEvent("content_block_stop", { index });
  }

  private delta(delta: Json, index = this.open?.block ?? 0): string {
    return sseEvent("content_block_delta", { index, delta });
  }

  /**
   * Which call a tool-call delta continues. Some servers omit `index` (one call at a time): a new `id`
   * then starts the next call, no id continues the last. A new id at a known index is a new call too.
   */
  private toolKey(tc: Json): number {
    if (typeof tc.index === "number") return tc.index;
    const last = this.tools.get(this.lastTool);
    if (typeof tc.id === "string" && tc.id && last && last.id !== tc.id) return Math.max(...this.tools.keys()) + 1;
    return Math.max(this.lastTool, 0);
  }

  private toolDelta(tc: Json): string {
    const key = this.toolKey(tc);
    const fn = isObject(tc.function) ? tc.function : {};
    let out = "";
    let tool = this.tools.get(key);
    if (!tool || (typeof tc.id === "string" && tc.id && tool.id !== tc.id)) {
      if (this.tools.size >= MAX_TOOL_CALLS) return this.fail("bad_upstream_stream", "the upstream sent too many tool calls");
      const id = typeof tc.id === "string" && tc.id ? tc.id : `toolu_${this.nextBlock}`;
      out += this.close() + this.begin("tool", { type: "tool_use", id, name: fn.name ?? "", input: {}, caller: DIRECT });
      tool = { id, block: this.open!.block };
      this.tools.set(key, tool);
    }
    this.lastTool = key;
    // A late delta for an earlier (closed) call still names that call's block: the SDK assembles by index.
    if (typeof fn.arguments === "string" && fn.arguments) {
      out += this.delta({ type: "input_json_delta", partial_json: fn.arguments }, tool.block);
    }
    return out;
  }

  private finishMessage(): string {
    if (this.stopped) return "";
    this.stopped = true;
    const stop_reason = stopReason(this.finish, this.tools.size > 0);
    const usage = this.usage !== null ? anthropicUsage(this.usage) : { output_tokens: 0 };
    return this.close() + sseEvent("message_delta", { delta: { stop_reason, stop_sequence: null }, usage }) +
      sseEvent("message_stop", {});
  }
}
