// log.capture (and a key's log_capture) applied to a built row, as the log writer builds it: off
// the response path, after tokens and cost were taken from the full reply, so capture changes what
// is kept, never what is counted or charged. The disk guard's "disk nearly full" is the same cut.
import { parseCapture, type Capture } from "../../shared/log-capture.ts";
import type { BodiesOmitted, LogRow } from "./types.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** `text` cut to at most `bytes` of UTF-8 (a character split by the cut is left out); null when it fits. */
function cut(text: string, bytes: number): string | null {
  if (text.length * 3 <= bytes) return null; // fits whatever the characters
  const b = encoder.encode(text);
  if (b.length <= bytes) return null;
  return decoder.decode(b.subarray(0, bytes)).replace(/\uFFFD$/, "");
}

/** Drops the row's bodies, saying why (a row without any keeps its null). */
export function omitBodies(row: LogRow, reason: BodiesOmitted): void {
  if (row.requestBody === null && row.replyText === null && row.toolCalls === null) return;
  row.requestBody = null;
  row.replyText = null;
  row.toolCalls = null;
  row.bodiesOmitted = reason;
}

export function applyCapture(row: LogRow, c: Capture): void {
  if (c.mode === "full") return;
  if (c.mode === "metadata") return omitBodies(row, "capture");
  const request = row.requestBody === null ? null : cut(row.requestBody, c.bytes);
  if (request !== null) (row.requestBody = request), (row.requestTruncated = true);
  const reply = row.replyText === null ? null : cut(row.replyText, c.bytes);
  if (reply !== null) (row.replyText = reply), (row.replyTruncated = true);
  // Tool calls are structured: kept whole within the size, else left out (and the reply marked cut).
  if (row.toolCalls !== null && encoder.encode(JSON.stringify(row.toolCalls)).length > c.bytes) {
    row.toolCalls = null;
    row.replyTruncated = true;
  }
}

/** The capture a row gets: its key's log_capture, else the global one (parsed once per distinct text). */
export function captureResolver() {
  const parsed = new Map<string, Capture>();
  return (keyCapture: string | null | undefined, global: Capture): Capture => {
    if (!keyCapture) return global;
    let c = parsed.get(keyCapture);
    if (!c) {
      c = parseCapture(keyCapture) ?? global;
      if (parsed.size < 1000) parsed.set(keyCapture, c);
    }
    return c;
  };
}
