// Incremental Server-Sent Events parsing. Upstream chunks split anywhere: mid-line, mid-UTF-8
// sequence, between CR and LF. The parser keeps only the unfinished line between pushes.
import { StreamFault } from "./pump.ts";

export interface SseEvent {
  event: string | null;
  data: string;
}

export class SseParser {
  private readonly decoder = new TextDecoder();
  private rest = "";
  private data: string[] = [];
  private event: string | null = null;
  private skipLf = false; // the last chunk ended in CR: a leading LF belongs to that line break

  /** Between events: no partial line or event held, so what follows can be read without it. */
  get idle(): boolean {
    return this.rest === "" && this.data.length === 0 && this.event === null && !this.skipLf;
  }

  push(chunk: Uint8Array): SseEvent[] {
    let text = this.decoder.decode(chunk, { stream: true });
    if (this.skipLf && text.charCodeAt(0) === 10) text = text.slice(1);
    this.skipLf = false;
    if (this.rest) text = this.rest + text;
    const out: SseEvent[] = [];
    let start = 0;
    if (text.indexOf("\r") === -1) {
      // LF only (what upstreams send): native line search instead of a loop over every character.
      for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", start)) {
        this.line(text.slice(start, i), out);
        start = i + 1;
      }
    } else {
      for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        if (c !== 10 && c !== 13) continue;
        this.line(text.slice(start, i), out);
        if (c === 13) {
          if (i + 1 === text.length) this.skipLf = true;
          else if (text.charCodeAt(i + 1) === 10) i++;
        }
        start = i + 1;
      }
    }
    this.rest = start < text.length ? text.slice(start) : "";
    return out;
  }

  private line(line: string, out: SseEvent[]): void {
    if (line === "") {
      if (this.data.length > 0) out.push({ event: this.event, data: this.data.join("\n") });
      this.data = [];
      this.event = null;
      return;
    }
    if (line.charCodeAt(0) === 58) return; // ":" comment / keep-alive
    if (line.startsWith("data: ")) {
      this.data.push(line.slice(6)); // the usual line, without the general field split below
      return;
    }
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    if (field === "data") this.data.push(value);
    else if (field === "event") this.event = value;
  }
}

/**
 * Index just past the last complete event (a blank line) in `buf`, or 0 if none. Forwarding only
 * whole events means a stream cut by the upstream never leaves half an event in front of the
 * error event Route appends; in the usual case a chunk ends exactly at a boundary.
 */
export function lastEventBoundary(buf: Uint8Array): number {
  for (let i = buf.length - 1; i > 0; i--) {
    if (buf[i] !== 10 && buf[i] !== 13) continue;
    const p = buf[i - 1];
    if (p === 10 || (p === 13 && buf[i] === 13)) return i + 1; // "\n\n", "\r\r", and the tail of "\r\n\r\n"
    if (p === 13 && i >= 2 && buf[i - 2] === 10) return i + 1; // "\n\r\n"
  }
  return 0;
}

/**
 * Index just past the first blank line at or after `from` (the end of the event `from` is in), or
 * `buf.length` if the event is not finished. CRLF counts as one line end.
 */
export function nextEventBoundary(buf: Uint8Array, from: number): number {
  for (let i = from; i < buf.length; i++) {
    const c = buf[i];
    if (c !== 10 && c !== 13) continue;
    if (c === 13 && buf[i + 1] === 10) continue; // the LF of this CRLF ends the line
    const before = c === 10 && buf[i - 1] === 13 ? i - 2 : i - 1; // the byte before this line end
    const b = buf[before];
    if (before >= from && (b === 10 || b === 13)) return i + 1; // the line that ended here was empty
  }
  return buf.length;
}


/**
 * Splits a byte stream into runs of whole events, so only whole events are forwarded. Bytes after
 * the last blank line wait for the next chunk, as a list (a large event arriving in many reads is
 * copied once, not once per read), bounded by `maxBytes`.
 */
export class EventFramer {
  private rest: Uint8Array[] = [];
  private restBytes = 0;
  constructor(private readonly maxBytes: number) {}

  /** The whole events completed by this chunk (null: none yet). */
  push(chunk: Uint8Array): Uint8Array | null {
    // A blank line can start up to 3 bytes before the chunk ("\r\n" + "\r\n"): search with them.
    const last = this.rest.at(-1);
    const tail = last === undefined ? 0 : Math.min(3, last.length);
    const probe = tail === 0 ? chunk : Buffer.concat([last!.subarray(last!.length - tail), chunk]);
    const cut = lastEventBoundary(probe) - tail; // within chunk; the rest holds no boundary
    if (cut <= 0) {
      this.restBytes += chunk.length;
      if (this.restBytes > this.maxBytes) throw new StreamFault("upstream_event_too_large", `upstream sent an event larger than ${this.maxBytes} bytes; stream ended`);
      if (chunk.length > 0) this.rest.push(chunk);
      return null;
    }
    const whole = cut === chunk.length; // the usual case: the chunk ends with its last event
    const out = this.rest.length === 0 ? (whole ? chunk : chunk.subarray(0, cut)) : Buffer.concat([...this.rest, chunk.subarray(0, cut)]);
    this.rest = whole ? (this.rest.length === 0 ? this.rest : []) : [chunk.subarray(cut)];
    this.restBytes = chunk.length - cut;
    return out;
  }

  /** What is left when the stream ends (an unfinished last event). */
  flush(): Uint8Array | null {
    if (this.rest.length === 0) return null;
    const out = this.rest.length === 1 ? this.rest[0]! : Buffer.concat(this.rest);
    this.rest = [];
    this.restBytes = 0;
    return out;
  }
}
