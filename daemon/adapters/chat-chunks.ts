// Reading an OpenAI Chat Completions stream, for adapters that translate it into another format:
// whole SSE events in (any split), parsed chunks out, with the malformed cases named once.
import { errorMessage, isObject, type Json } from "./anthropic-to-openai/shared.ts";
import { sseData } from "./anthropic-to-openai/sse.ts";

const MAX_TAIL = 1 << 20; // an unterminated event larger than this is not an SSE stream we can trust

export type ChatStreamItem =
  | { kind: "chunk"; chunk: Json }
  | { kind: "done" }
  | { kind: "error"; code: string; message: string };

export class ChatChunkReader {
  private tail = "";

  /** The chunks, [DONE] markers and faults in `events`; an unterminated tail waits for the next call. */
  read(events: string): ChatStreamItem[] {
    const { data, rest } = sseData(this.tail + events);
    this.tail = rest;
    const items = data.map(parse);
    if (rest.length > MAX_TAIL) items.push(fault("the upstream sent an unterminated stream event"));
    return items;
  }

  /** What an unterminated last event held, at the end of the stream. */
  flush(): ChatStreamItem[] {
    return this.tail.trim() ? this.read("\n\n") : [];
  }
}

const fault = (message: string): ChatStreamItem => ({ kind: "error", code: "bad_upstream_stream", message });

function parse(d: string): ChatStreamItem {
  if (d.trim() === "[DONE]") return { kind: "done" };
  let chunk: unknown;
  try {
    chunk = JSON.parse(d);
  } catch {
    return fault("the upstream sent a stream event that is not JSON");
  }
  if (!isObject(chunk)) return fault("the upstream sent a stream event that is not an object");
  if (chunk.error !== undefined) return { kind: "error", code: "upstream_error", message: errorMessage(502, chunk) };
  return { kind: "chunk", chunk };
}

/**
 * Which call a tool-call delta continues. Some servers omit `index` (one call at a time): a new `id` then
 * starts the next call, no id continues the last. A new id at a known index is a new call too.
 */
export function toolCallKey(tc: Json, calls: Map<number, { callId?: string }>, lastKey: number): number {
  if (typeof tc.index === "number") return tc.index;
  const last = calls.get(lastKey);
  if (typeof tc.id === "string" && tc.id && last && last.callId !== tc.id) return Math.max(...calls.keys()) + 1;
  return Math.max(lastKey, 0);
}
