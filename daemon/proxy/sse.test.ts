import { describe, expect, test } from "bun:test";
import { EventFramer, lastEventBoundary, nextEventBoundary, SseParser } from "./sse.ts";

const enc = new TextEncoder();
const STREAM =
  'data: {"choices":[{"delta":{"content":"héllo 👋"}}]}\r\n\r\n' +
  ": keep-alive\n\n" +
  "event: message\ndata: line1\ndata: line2\n\n" +
  'data: {"x":1}\r\r' +
  "data: [DONE]\n\n";

function parseAll(chunks: Uint8Array[]) {
  const p = new SseParser();
  return chunks.flatMap((c) => p.push(c));
}

describe("SseParser", () => {
  const expected = [
    { event: null, data: '{"choices":[{"delta":{"content":"héllo 👋"}}]}' },
    { event: "message", data: "line1\nline2" },
    { event: null, data: '{"x":1}' },
    { event: null, data: "[DONE]" },
  ];

  test("whole stream at once: LF, CRLF and CR line ends, comments, multi-line data", () => {
    expect(parseAll([enc.encode(STREAM)])).toEqual(expected);
  });

  test("split at every byte boundary (mid-line, mid-UTF-8, between CR and LF)", () => {
    const bytes = enc.encode(STREAM);
    for (let i = 1; i < bytes.length; i++) {
      expect(parseAll([bytes.subarray(0, i), bytes.subarray(i)])).toEqual(expected);
    }
  });

  test("one byte at a time", () => {
    const bytes = enc.encode(STREAM);
    expect(parseAll([...bytes].map((b) => new Uint8Array([b])))).toEqual(expected);
  });
});

describe("lastEventBoundary", () => {
  test("finds the end of the last complete event", () => {
    expect(lastEventBoundary(enc.encode("data: a\n\n"))).toBe(9);
    expect(lastEventBoundary(enc.encode("data: a\n\ndata: b"))).toBe(9);
    expect(lastEventBoundary(enc.encode("data: a\r\n\r\ndata: b\r\n"))).toBe(11);
    expect(lastEventBoundary(enc.encode("data: a\r\rdata"))).toBe(9);
    expect(lastEventBoundary(enc.encode("data: a\n"))).toBe(0);
    expect(lastEventBoundary(enc.encode(""))).toBe(0);
  });
});

describe("nextEventBoundary", () => {
  test("finds the end of the event a position is in", () => {
    expect(nextEventBoundary(enc.encode("data: a\n\ndata: b\n\n"), 2)).toBe(9);
    expect(nextEventBoundary(enc.encode("data: a\n\ndata: b\n\n"), 9)).toBe(18);
    expect(nextEventBoundary(enc.encode("data: a\r\n\r\ndata: b"), 0)).toBe(11);
    expect(nextEventBoundary(enc.encode("data: a\r\rdata"), 3)).toBe(9);
    expect(nextEventBoundary(enc.encode("data: a\n\r\nx"), 0)).toBe(10);
    expect(nextEventBoundary(enc.encode("event: x\ndata: a\n"), 0)).toBe(17); // not finished
  });
});


describe("EventFramer", () => {
  const enc = (s: string) => new TextEncoder().encode(s);
  const dec = (b: Uint8Array | null) => (b ? new TextDecoder().decode(b) : "");
  const stream = (nl: string) => ["data: é1", "", "data: 你好", "", ": keep-alive", "", "data: 🙂 3", "", ""].join(nl);

  test("split at every pair of offsets, only whole events come out, and all bytes in order", () => {
    for (const nl of ["\n", "\r\n", "\r"]) {
      const bytes = enc(stream(nl));
      for (let i = 1; i < bytes.length; i++) {
        for (let j = i; j < bytes.length; j++) {
          const f = new EventFramer(1 << 20);
          const outs = [bytes.subarray(0, i), bytes.subarray(i, j), bytes.subarray(j)].map((c) => f.push(c));
          const out = outs.map(dec).join("") + dec(f.flush());
          expect(out).toBe(stream(nl));
          for (const o of outs) if (o) expect(lastEventBoundary(o)).toBe(o.length); // ends at an event's end
        }
      }
    }
  });

  test("an event longer than the bound ends the stream with upstream_event_too_large", () => {
    const f = new EventFramer(100);
    expect(f.push(enc("data: ok\n\n"))).not.toBeNull();
    expect(f.push(enc(`data: ${"x".repeat(60)}`))).toBeNull();
    expect(() => f.push(enc("y".repeat(60)))).toThrow(expect.objectContaining({ code: "upstream_event_too_large" }));
  });
});
