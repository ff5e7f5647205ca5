// chat.completion.chunk SSE → the Responses API event stream, chunk by chunk.
// The first chunk opens the response (response.created, response.in_progress). Reasoning deltas become a
// reasoning item with one summary part, text and refusal deltas a message item, each tool call (keyed by
// its chat `index`, or by id when a server omits it) a function_call item; output indexes run in emission
// order. A reasoning or message item is done when another item begins; function calls are done when the
// answer finishes, since chat deltas for parallel calls may interleave. response.completed (or
// response.incomplete) carries the whole output and the usage of the usage-only chunk, so it waits for
// that chunk or [DONE] (or end()). The Responses format repeats every item whole in its done events, so
// the item texts are kept, bounded in bytes.
import { responsesErrorEvent } from "../../proxy/openai-error.ts";
import { reasoningOf } from "../anthropic-to-openai/response.ts";
import { isObject, type Json } from "../anthropic-to-openai/shared.ts";
import { ChatChunkReader, toolCallKey, type ChatStreamItem } from "../chat-chunks.ts";
import type { StreamTranslator } from "../types.ts";
import { callItem, ids, messageItem, reasoningItem, responseObject, responsesUsage, statusOf, textPart } from "./shared.ts";

const MAX_ASSEMBLED = 32 << 20; // characters of text and arguments kept for the done events
const MAX_TOOL_CALLS = 1024;

type PartKind = "output_text" | "refusal";
interface Item { index: number; id: string; kind: "reasoning" | "message" | "call"; text: string; done: boolean;
  part?: { kind: PartKind; index: number }; parts: Json[]; callId?: string; name?: string; final?: Json }

export class ChunkToResponseStream implements StreamTranslator {
  private readonly reader = new ChatChunkReader();
  private seq = 0;
  private stopped = false;
  private ids: ReturnType<typeof ids> | null = null;
  private created: unknown = 0;
  private readonly items: Item[] = [];
  private current: Item | null = null; // the open reasoning or message item
  private readonly calls = new Map<number, Item>();
  private lastCall = -1;
  private assembled = 0;
  private finish: unknown = null;
  private usage: unknown = null;

  constructor(private readonly model: string) {}

  push(events: string): string {
    return this.stopped ? "" : this.onItems(this.reader.read(events));
  }

  end(): string {
    let out = this.stopped ? "" : this.onItems(this.reader.flush());
    if (!this.stopped && this.finish !== null) out += this.complete();
    return out; // no finish_reason: nothing is invented
  }

  fail(code: string, message: string): string {
    if (this.stopped) return "";
    this.stopped = true;
    return responsesErrorEvent(code, message, this.seq++);
  }

  private event(type: string, data: Json): string {
    return `event: ${type}\ndata: ${JSON.stringify({ type, ...data, sequence_number: this.seq++ })}\n\n`;
  }

  private onItems(items: ChatStreamItem[]): string {
    let out = "";
    for (const item of items) {
      if (item.kind === "error") return out + this.fail(item.code, item.message);
      out += item.kind === "done" ? (this.finish !== null ? this.complete() : "") : this.onChunk(item.chunk);
      if (this.stopped) return out;
    }
    return out;
  }

  private onChunk(chunk: Json): string {
    let out = this.start(chunk);
    const choice = Array.isArray(chunk.choices) ? chunk.choices[0] : undefined;
    if (isObject(choice)) {
      if (isObject(choice.delta)) out += this.onDelta(choice.delta);
      if (choice.finish_reason != null && this.finish === null) {
        out += this.closeCurrent();
        this.finish = choice.finish_reason;
      }
    }
    if (isObject(chunk.usage)) {
      this.usage = chunk.usage;
      if (this.finish !== null) out += this.complete();
    }
    return out;
  }

  private start(chunk: Json): string {
    if (this.ids) return "";
    this.ids = ids(chunk.id);
    this.created = chunk.created;
    const response = this.response("in_progress", [], null);
    return this.event("response.created", { response }) + this.event("response.in_progress", { response });
  }

  private response(status: string, output: Json[], usage: Json | null, incomplete_details: Json | null = null): Json {
    return responseObject({ id: this.ids!.response, created: this.created, model: this.model, status, output, usage, incomplete_details });
  }

  private onDelta(delta: Json): string {
    let out = "";
    const reasoning = reasoningOf(delta);
    if (reasoning) out += this.reasoningDelta(reasoning);
    if (typeof delta.content === "string" && delta.content) out += this.textDelta("output_text", delta.content);
    if (typeof delta.refusal === "string" && delta.refusal) out += this.textDelta("refusal", delta.refusal);
    if (Array.isArray(delta.tool_calls)) for (const tc of delta.tool_calls) if (isObject(tc) && !this.stopped) out += this.toolDelta(tc);
    return out;
  }

  private keep(text: string): boolean {
    this.assembled += text.length;
    return this.assembled <= MAX_ASSEMBLED;
  }

  private open(kind: Item["kind"], id: string, item: Json): { item: Item; out: string } {
    const it: Item = { index: this.items.length, id, kind, text: "", done: false, parts: [] };
    this.items.push(it);
    return { item: it, out: this.event("response.output_item.added", { output_index: it.index, item }) };
  }

  /** The first item of a kind has the plain id (as in the whole answer); later ones add their output index. */
  private itemId(kind: Item["kind"], base: string): string {
    return this.items.some((i) => i.kind === kind) ? `${base}_${this.items.length}` : base;
  }

  private reasoningDelta(delta: string): string {
    if (!this.keep(delta)) return this.fail("bad_upstream_stream", "the upstream answer is too large to assemble");
    let out = "";
    if (this.current?.kind !== "reasoning") {
      out += this.closeCurrent();
      const id = this.itemId("reasoning", this.ids!.reasoning);
      const { item, out: added } = this.open("reasoning", id, reasoningItem(id, null));
      this.current = item;
      out += added +
        this.event("response.reasoning_summary_part.added", { item_id: item.id, output_index: item.index, summary_index: 0, part: { type: "summary_text", text: "" } });
    }
    const it = this.current!;
    it.text += delta;
    return out + this.event("response.reasoning_summary_text.delta", { item_id: it.id, output_index: it.index, summary_index: 0, delta });
  }

  private textDelta(kind: PartKind, delta: string): string {
    if (!this.keep(delta)) return this.fail("bad_upstream_stream", "the upstream answer is too large to assemble");
    let out = "";
    if (this.current?.kind !== "message") {
      out += this.closeCurrent();
      const id = this.itemId("message", this.ids!.message);
      const { item, out: added } = this.open("message", id, messageItem(id, "in_progress", []));
      this.current = item;
      out += added;
    }
    const it = this.current!;
    if (it.part?.kind !== kind) {
      out += this.closePart(it);
      it.part = { kind, index: it.parts.length };
      it.text = "";
      const part = kind === "output_text" ? textPart("") : { type: "refusal", refusal: "" };
      out += this.event("response.content_part.added", { item_id: it.id, output_index: it.index, content_index: it.part.index, part });
    }
    it.text += delta;
    const type = kind === "output_text" ? "response.output_text.delta" : "response.refusal.delta";
    const extra = kind === "output_text" ? { logprobs: [] } : {};
    return out + this.event(type, { item_id: it.id, output_index: it.index, content_index: it.part!.index, delta, ...extra });
  }

  private closePart(it: Item): string {
    if (!it.part) return "";
    const base = { item_id: it.id, output_index: it.index, content_index: it.part.index };
    const text = it.kind === "message" && it.part.kind === "output_text";
    const part = text ? textPart(it.text) : { type: "refusal", refusal: it.text };
    it.parts.push(part);
    it.part = undefined;
    return (text ? this.event("response.output_text.done", { ...base, text: it.text, logprobs: [] }) : this.event("response.refusal.done", { ...base, refusal: it.text })) +
      this.event("response.content_part.done", { ...base, part });
  }

  private closeCurrent(): string {
    const it = this.current;
    if (!it) return "";
    this.current = null;
    let out = "";
    if (it.kind === "reasoning") {
      const base = { item_id: it.id, output_index: it.index, summary_index: 0 };
      out += this.event("response.reasoning_summary_text.done", { ...base, text: it.text }) +
        this.event("response.reasoning_summary_part.done", { ...base, part: { type: "summary_text", text: it.text } });
      it.final = reasoningItem(it.id, it.text);
    } else {
      out += this.closePart(it);
      it.final = messageItem(it.id, "completed", it.parts);
    }
    it.done = true;
    return out + this.event("response.output_item.done", { output_index: it.index, item: it.final });
  }

  private toolDelta(tc: Json): string {
    const key = toolCallKey(tc, this.calls, this.lastCall);
    const fn = isObject(tc.function) ? tc.function : {};
    let out = "";
    let call = this.calls.get(key);
    if (!call || (typeof tc.id === "string" && tc.id && call.callId !== tc.id)) {
      if (this.calls.size >= MAX_TOOL_CALLS) return this.fail("bad_upstream_stream", "the upstream sent too many tool calls");
      out += this.closeCurrent();
      const id = this.ids!.call(this.calls.size);
      const callId = typeof tc.id === "string" && tc.id ? tc.id : id;
      const name = typeof fn.name === "string" ? fn.name : "";
      const opened = this.open("call", id, callItem(id, callId, name, "", "in_progress"));
      call = Object.assign(opened.item, { callId, name });
      this.calls.set(key, call);
      out += opened.out;
    }
    this.lastCall = key;
    const args = typeof fn.arguments === "string" ? fn.arguments : "";
    if (!args) return out;
    if (!this.keep(args)) return out + this.fail("bad_upstream_stream", "the upstream answer is too large to assemble");
    call.text += args;
    return out + this.event("response.function_call_arguments.delta", { item_id: call.id, output_index: call.index, delta: args });
  }

  private closeCall(it: Item): string {
    it.done = true;
    it.final = callItem(it.id, it.callId!, it.name!, it.text, "completed");
    return this.event("response.function_call_arguments.done", { item_id: it.id, output_index: it.index, arguments: it.text }) +
      this.event("response.output_item.done", { output_index: it.index, item: it.final });
  }

  private complete(): string {
    if (this.stopped) return "";
    let out = this.closeCurrent();
    for (const it of this.items) if (!it.done) out += this.closeCall(it);
    this.stopped = true;
    const { status, incomplete_details } = statusOf(this.finish);
    const response = this.response(status, this.items.map((i) => i.final!), responsesUsage(this.usage), incomplete_details);
    return out + this.event(status === "completed" ? "response.completed" : "response.incomplete", { response });
  }
}
