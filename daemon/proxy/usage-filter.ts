// Hides the usage-only chunk ({"choices": [], "usage": {…}}) of a stream whose usage Route asked
// for on its own (upstream-body.ts), so the client sees exactly the stream it asked for. Works on
// whole events, chunk by chunk, without buffering: a chunk without the bytes `"usage"` (all but
// the last one, in practice) passes through after one native byte search.

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

/**
 * `buf` holds whole events (or a stream's final remainder); returns it without usage-only events.
 * Only the events around each `"usage"` are decoded and looked at; the rest stays bytes.
 */
export function dropUsageChunks(buf: Uint8Array): Uint8Array {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.length);
  let at = buf.length === 0 ? -1 : b.indexOf(USAGE);
  if (at < 0) return buf;
  const kept: Uint8Array[] = [];
  let from = 0;
  while (at >= 0) {
    const start = lastEventBoundary(b.subarray(0, at));
    const end = nextEventBoundary(b, at);
    if (usageOnly(decoder.decode(b.subarray(start, end)))) {
      kept.push(b.subarray(from, start));
      from = end;
    }
    at = end < b.length ? b.indexOf(USAGE, end) : -1;
  }
  if (from === 0) return buf;
  kept.push(b.subarray(from));
  return Buffer.concat(kept);
}
