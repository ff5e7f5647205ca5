// Anthropic Messages SSE → chat.completion.chunk SSE, event by event. State is a few counters and
// the open tool blocks (removed at content_block_stop); nothing of the answer is buffered.
// - tool_calls[].index counts tool_use blocks only (0, 1, …), never Anthropic's content block index:
//   the openai SDK assembles calls by that index.
// - thinking_delta → delta.reasoning_content; signature_delta (and citations_delta) are dropped:
//   Chat Completions has no place for them.
// - ping → nothing (an empty chunk would be a bogus event to clients).
// - message_stop → the usage chunk (when asked) and [DONE]; a stream that ends without it gets
//   nothing invented: no finish_reason, no [DONE].
import { sseErrorEvent } from "../../proxy/openai-error";
import type { StreamTranslator } from "../types";
import { errorObject, finishReason, openaiUsage, readUsage, type AnthropicUsage } from "./response";
import { parseEvents } from "./sse";

type Json = Record<string, unknown>;

export class ChatChunkStream implements StreamTranslator {
  private id = "";
  private readonly usage: AnthropicUsage = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 };
  private nextTool = 0;
  private readonly toolOfBlock = new Map<number, number>();
  private over = false;

  constructor(private readonly model: string, private readonly includeUsage: boolean) {}

  push(events: string): string {
    let out = "";
    for (const ev of parseEvents(events)) {
      if (this.over) break;
      let data: Json;
      try {
        data = JSON.parse(ev.data) as Json;
      } catch {
        out += this.fail("bad_upstream_event", "the upstream sent a stream event that is not JSON");
        break;
      }
      out += this.onEvent(data);
    }
    return out;
  }

  end(): string {
    this.over = true;
    return "";
  }

  fail(code: string, message: string): string {
    if (this.over) return "";
    this.over = true;
    return sseErrorEvent(code, message);
  }

  private onEvent(data: Json): string {
    switch (data.type) {
      case "message_start": {
        const msg = (data.message ?? {}) as Json;
        if (typeof msg.id === "string") this.id = msg.id;
        readUsage(msg.usage, this.usage);
        return this.chunk({ role: "assistant", content: "" });
      }
      case "content_block_start":
        return this.blockStart(data.index as number, (data.content_block ?? {}) as Json);
      case "content_block_delta":
        return this.blockDelta(data.index as number, (data.delta ?? {}) as Json);
      case "content_block_stop":
        this.toolOfBlock.delete(data.index as number);
        return "";
      case "message_delta": {
        readUsage(data.usage, this.usage);
        const finish = finishReason(((data.delta ?? {}) as Json).stop_reason);
        return finish === null ? "" : this.chunk({}, finish);
      }
      case "message_stop": {
        this.over = true;
        const usage = this.includeUsage ? this.event({ choices: [], usage: openaiUsage(this.usage) }) : "";
        return `${usage}data: [DONE]\n\n`;
      }
      case "error":
        this.over = true;
        return `data: ${JSON.stringify(errorObject(500, data))}\n\n`;
      default:
        return ""; // ping, and event types newer than this adapter
    }
  }

  private blockStart(index: number, block: Json): string {
    if (block.type === "tool_use") {
      const tool = this.nextTool++;
      this.toolOfBlock.set(index, tool);
      const call = { index: tool, id: block.id, type: "function", function: { name: block.name, arguments: "" } };
      return this.chunk({ tool_calls: [call] });
    }
    if (block.type === "text" && typeof block.text === "string" && block.text !== "") return this.chunk({ content: block.text });
    return "";
  }

  private blockDelta(index: number, delta: Json): string {
    switch (delta.type) {
      case "text_delta":
        return this.chunk({ content: delta.text });
      case "thinking_delta":
        return this.chunk({ reasoning_content: delta.thinking });
      case "input_json_delta": {
        const tool = this.toolOfBlock.get(index);
        if (tool === undefined || typeof delta.partial_json !== "string" || delta.partial_json === "") return "";
        return this.chunk({ tool_calls: [{ index: tool, function: { arguments: delta.partial_json } }] });
      }
      default:
        return ""; // signature_delta, citations_delta
    }
  }

  private chunk(delta: Json, finish: string | null = null): string {
    return this.event({ choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] });
  }

  private event(body: Json): string {
    const chunk: Json = { id: this.id, object: "chat.completion.chunk", created: 0, model: this.model, ...body };
    // As OpenAI does: with include_usage every chunk carries usage (null until the last); without, no key.
    if (this.includeUsage && !("usage" in body)) chunk.usage = null;
    return `data: ${JSON.stringify(chunk)}\n\n`;
  }
}
