// Undoes, on the way back, what asking for usage on the client's behalf (upstream-body.ts) adds to
// a stream: the usage-only chunk ({"choices": [], "usage": {…}}) and the `"usage": null` member
// OpenAI then puts in every other chunk. The client sees exactly the stream it asked for. Works on
// whole events, chunk by chunk, without buffering: a chunk without the bytes `"usage"` passes
// through after one native byte search; an event with them is decoded alone, and edited only by
// cutting that member's text out, so every other byte stays as the upstream sent it.

import { lastEventBoundary, nextEventBoundary } from "./sse.ts";

const USAGE = Buffer.from('"usage"');
const decoder = new TextDecoder();
const encoder = new TextEncoder();

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

const space = (c: number) => c === 32 || c === 9 || c === 10 || c === 13;
const skipSpace = (t: string, i: number) => {
  while (i < t.length && space(t.charCodeAt(i))) i++;
  return i;
};

/**
 * The event's text without its top-level `"usage": null` member (and the comma that joined it), or
 * null when it has none. A single pass that tracks strings and depth, so a `"usage"` inside a
 * string or a nested object is never touched.
 */
export function withoutNullUsage(event: string): string | null {
  let depth = 0;
  for (let i = 0; i < event.length; i++) {
    const c = event.charCodeAt(i);
    if (c === 123 || c === 91) depth++;
    else if (c === 125 || c === 93) depth--;
    else if (c === 34) {
      const start = i;
      for (i++; i < event.length && event.charCodeAt(i) !== 34; i++) if (event.charCodeAt(i) === 92) i++;
      if (depth !== 1 || i - start !== 6 || !event.startsWith('"usage"', start)) continue;
      const colon = skipSpace(event, i + 1);
      if (event.charCodeAt(colon) !== 58) continue; // a value, not a key
      const value = skipSpace(event, colon + 1);
      if (!event.startsWith("null", value)) return null;
      const after = skipSpace(event, value + 4);
      if (event.charCodeAt(after) === 44) return event.slice(0, start) + event.slice(skipSpace(event, after + 1)); // "usage":null, next
      let before = start - 1;
      while (before > 0 && space(event.charCodeAt(before))) before--;
      if (event.charCodeAt(before) === 44) return event.slice(0, before) + event.slice(value + 4); // prev, "usage":null
      return event.slice(0, start) + event.slice(value + 4); // the only member
    }
  }
  return null;
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
    const event = decoder.decode(b.subarray(start, end));
    const edited = usageOnly(event) ? "" : withoutNullUsage(event);
    if (edited !== null) {
      kept.push(b.subarray(from, start));
      if (edited) kept.push(encoder.encode(edited));
      from = end;
    }
    at = end < b.length ? b.indexOf(USAGE, end) : -1;
  }
  if (from === 0) return buf;
  kept.push(b.subarray(from));
  return Buffer.concat(kept);
}
