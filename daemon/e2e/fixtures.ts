// Recorded provider streams (fixtures/*.sse, in OpenAI's wire format) and what each one says: the
// text, tool calls and usage a client should assemble from it. Read straight from the bytes here,
// independently of Route's own parser, so a test compares Route's output with the source.
import { readFileSync } from "node:fs";

export type Fixture = "chat-content.sse" | "chat-usage.sse" | "chat-tools.sse" | "responses.sse";

export const fixture = (name: Fixture): Uint8Array => new Uint8Array(readFileSync(new URL(`./fixtures/${name}`, import.meta.url)));

export interface ToolCall {
  id: string;
  name: string;
  arguments: string;
}

export interface Said {
  text: string;
  toolCalls: ToolCall[];
  usage: { prompt: number; completion: number } | null;
}

/** The data of every event of an SSE body, parsed (the [DONE] sentinel left out). */
export function events(sse: Uint8Array | string): { event: string | null; data: any }[] {
  const text = typeof sse === "string" ? sse : new TextDecoder().decode(sse);
  const out: { event: string | null; data: any }[] = [];
  for (const block of text.split(/\r?\n\r?\n/)) {
    let event: string | null = null;
    const data: string[] = [];
    for (const line of block.split(/\r?\n/)) {
      if (line.startsWith("event:")) event = line.slice(6).trim();
      else if (line.startsWith("data:")) data.push(line.slice(5).trimStart());
    }
    if (data.length > 0 && data.join("\n") !== "[DONE]") out.push({ event, data: JSON.parse(data.join("\n")) });
  }
  return out;
}

/** What a chat completions or Responses stream says. */
export function said(sse: Uint8Array): Said {
  let text = "";
  const calls = new Map<string, ToolCall>();
  let usage: Said["usage"] = null;
  for (const { data: d } of events(sse)) {
    if (d.type === "response.output_text.delta") text += d.delta;
    else if (d.type === "response.output_item.done" && d.item.type === "function_call") calls.set(d.item.id, { id: d.item.call_id, name: d.item.name, arguments: d.item.arguments });
    else if (d.type === "response.completed") usage = { prompt: d.response.usage.input_tokens, completion: d.response.usage.output_tokens };
    for (const c of d.choices ?? []) {
      text += c.delta.content ?? "";
      for (const t of c.delta.tool_calls ?? []) {
        const acc = calls.get(String(t.index)) ?? { id: "", name: "", arguments: "" };
        calls.set(String(t.index), { id: t.id ?? acc.id, name: acc.name + (t.function?.name ?? ""), arguments: acc.arguments + (t.function?.arguments ?? "") });
      }
    }
    if (d.usage) usage = { prompt: d.usage.prompt_tokens, completion: d.usage.completion_tokens };
  }
  return { text, toolCalls: [...calls.values()], usage };
}

/** Byte offset of the first occurrence of `needle` (to cut a replay there). */
export const offsetOf = (sse: Uint8Array, needle: string): number => Buffer.from(sse).indexOf(needle);

/** The whole events that end before byte `at`: what a client may see of a stream cut there. */
export const wholeBefore = (sse: Uint8Array, at: number): Uint8Array => sse.subarray(0, Buffer.from(sse.subarray(0, at)).lastIndexOf("\n\n") + 2);
