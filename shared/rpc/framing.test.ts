import { describe, expect, test } from "bun:test";
import { createLineReader, encodeFrame } from "./framing.ts";

const enc = new TextEncoder();

function collect(max = 1000) {
  const lines: string[] = [];
  let overflows = 0;
  const r = createLineReader((l) => lines.push(l), max, () => overflows++);
  return { r, lines, overflows: () => overflows };
}

describe("line framing", () => {
  test("split at every byte boundary, multi-byte UTF-8 included, CRLF and blank lines tolerated", () => {
    const text = `${encodeFrame({ a: "héllo ✓" })}\r\n${encodeFrame({ b: [1, 2] }).replace("\n", "\r\n")}`;
    const bytes = enc.encode(text);
    for (let cut = 0; cut <= bytes.length; cut++) {
      const { r, lines } = collect();
      r.push(bytes.subarray(0, cut));
      r.push(bytes.subarray(cut));
      expect(lines.map((l) => JSON.parse(l))).toEqual([{ a: "héllo ✓" }, { b: [1, 2] }]);
    }
  });

  test("a line over the limit is reported once, with or without its newline", () => {
    const a = collect(10);
    a.r.push(enc.encode("0123456789AB"));
    a.r.push(enc.encode("more\n{}\n"));
    expect(a.overflows()).toBe(1);
    expect(a.lines).toEqual([]);
    const b = collect(10);
    b.r.push(enc.encode('{"x":1}\n0123456789AB\n'));
    expect(b.lines).toEqual(['{"x":1}']);
    expect(b.overflows()).toBe(1);
  });
});
