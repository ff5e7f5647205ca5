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
