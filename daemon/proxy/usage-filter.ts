// Undoes, on the way back, what asking for usage on the client's behalf (upstream-body.ts) adds to
// a stream: the usage-only chunk ({"choices": [], "usage": {…}}) and the `"usage": null` member
// OpenAI then puts in every other chunk. The client sees exactly the stream it asked for. Works on
// whole events, chunk by chunk, without buffering: a chunk without the bytes `"usage"` passes
// through after one native byte search; an event with them is decoded alone, and edited only by
// cutting that member's text out, so every other byte stays as the upstream sent it.

import { lastMember, scanObject, splice } from "./json-splice.ts";
import { lastEventBoundary, nextEventBoundary } from "./sse.ts";

const USAGE = Buffer.from('"usage"');
const decoder = new TextDecoder();

/** The data lines of one event, joined as SSE joins them. */
function dataOf(event: string): string {
  const lines: string[] = [];
  for (const line of event.split(/\r\n|\r|\n/)) if (line.startsWith("data:")) lines.push(line.slice(line.charCodeAt(5) === 32 ? 6 : 5));
  return lines.join("\n");
}

function usageOnly(event: string): boolean {
  if (!event.includes('"usage"') || !event.includes('"choices"')) return false;
  try {
    const o = JSON.parse(dataOf(event));
    return Array.isArray(o?.choices) && o.choices.length === 0 && o.usage != null;
  } catch {
    return false;
  }
}

const NULL = Buffer.from("null");

/**
 * The event without its top-level `"usage": null` member (and the comma that joined it), or null
 * when it has none. The members are found by json-splice's scanner, so a `"usage"` inside a string
 * or a nested object is never touched, and every other byte stays.
 */
export function withoutNullUsage(event: Uint8Array): Uint8Array | null {
  const open = event.indexOf(0x7b);
  const o = open < 0 ? null : scanObject(event, open);
  const m = o && lastMember(event, o, "usage");
  if (!o || !m || !NULL.equals(event.subarray(m.value.start, m.value.end))) return null;
  const i = o.members.indexOf(m);
  const prev = o.members[i - 1];
  const next = o.members[i + 1];
  // With the comma before it, or the one after it when it comes first.
  const cut = prev ? { start: prev.value.end, end: m.value.end } : { start: m.key.start, end: next ? next.key.start : m.value.end };
  return splice(event, [{ ...cut, bytes: new Uint8Array(0) }]);
}

/**
 * `buf` holds whole events (or a stream's final remainder); returns it without usage-only events
 * and without `"usage": null` members. Only the events around each `"usage"` are decoded and
 * looked at; the rest stays bytes.
 */
export function hideInjectedUsage(buf: Uint8Array): Uint8Array {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.length);
  let at = buf.length === 0 ? -1 : b.indexOf(USAGE);
  if (at < 0) return buf;
  const kept: Uint8Array[] = [];
  let from = 0;
  while (at >= 0) {
    const start = lastEventBoundary(b.subarray(0, at));
    const end = nextEventBoundary(b, at);
    const event = b.subarray(start, end);
    // The usage-only event goes whole; another keeps all but its `"usage": null`.
    const drop = usageOnly(decoder.decode(event));
    const edited = drop ? null : withoutNullUsage(event);
    if (drop || edited) {
      kept.push(b.subarray(from, start));
      if (edited) kept.push(edited);
      from = end;
    }
    at = end < b.length ? b.indexOf(USAGE, end) : -1;
  }
  if (from === 0) return buf;
  kept.push(b.subarray(from));
  return Buffer.concat(kept);
}
