// Hides the usage-only chunk ({"choices": [], "usage": {…}}) of a stream whose usage Route asked
// for on its own (upstream-body.ts), so the client sees exactly the stream it asked for. Works on
// whole events, chunk by chunk, without buffering: a chunk without the bytes `"usage"` (all but
// the last one, in practice) passes through after one native byte search.

const USAGE = Buffer.from('"usage"');
const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** Splits text made of whole SSE events at their blank lines, keeping every byte. */
function splitEvents(text: string): string[] {
  const out: string[] = [];
  let start = 0;
  let lineStart = 0;
  for (let i = 0; i < text.length; ) {
    const c = text.charCodeAt(i);
    if (c !== 10 && c !== 13) {
      i++;
      continue;
    }
    const blank = i === lineStart;
    i += c === 13 && text.charCodeAt(i + 1) === 10 ? 2 : 1;
    if (blank) {
      out.push(text.slice(start, i));
      start = i;
    }
    lineStart = i;
  }
  if (start < text.length) out.push(text.slice(start));
  return out;
}

function usageOnly(event: string): boolean {
  if (!event.includes('"usage"')) return false;
  const data = event
    .split(/\r\n|\r|\n/)
    .filter((l) => l.startsWith("data:"))
    .map((l) => l.slice(l.charCodeAt(5) === 32 ? 6 : 5))
    .join("\n");
  try {
    const o = JSON.parse(data);
    return Array.isArray(o?.choices) && o.choices.length === 0 && o.usage != null;
  } catch {
    return false;
  }
}

/** `buf` holds whole events (or a stream's final remainder); returns it without usage-only events. */
export function dropUsageChunks(buf: Uint8Array): Uint8Array {
  if (buf.length === 0 || Buffer.from(buf.buffer, buf.byteOffset, buf.length).indexOf(USAGE) < 0) return buf;
  const events = splitEvents(decoder.decode(buf));
  const kept = events.filter((e) => !usageOnly(e));
  return kept.length === events.length ? buf : encoder.encode(kept.join(""));
}
