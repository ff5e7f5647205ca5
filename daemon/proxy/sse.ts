// Incremental Server-Sent Events parsing. Upstream chunks split anywhere: mid-line, mid-UTF-8
// sequence, between CR and LF. The parser keeps only the unfinished line between pushes.

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
