import { describe, expect, test } from "bun:test";
import { dropUsageChunks } from "./usage-filter.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

describe("usage filter", () => {
  test("chunks without usage pass through as the same bytes", () => {
    const b = enc('data: {"choices":[{"delta":{"content":"say \\"usage\\""}}]}\n\n');
    expect(dropUsageChunks(b)).toBe(b);
  });

  test("the usage-only event goes; others (CRLF, usage beside choices) stay byte for byte", () => {
    const keep = 'data: {"choices":[{"delta":{},"finish_reason":"stop"}],"usage":null}\r\n\r\n';
    const usage = 'data: {"choices": [], "usage": {"prompt_tokens": 5, "completion_tokens": 3}}\r\n\r\n';
    expect(dec(dropUsageChunks(enc(keep + usage + "data: [DONE]\r\n\r\n")))).toBe(keep + "data: [DONE]\r\n\r\n");
    expect(dec(dropUsageChunks(enc(usage.replaceAll("\r\n", "\n"))))).toBe("");
  });

  test("a whole stream in one chunk: only the usage-only event goes, whatever the line ends", () => {
    const usage = 'data: {"id":"x","choices":[],"usage":{"prompt_tokens":5,"completion_tokens":3,"total_tokens":8}}';
    const content = (t: string) => `data: {"choices":[{"index":0,"delta":{"content":"${t}"}}],"usage":null}`;
    for (const nl of ["\n", "\r\n", "\r"]) {
      const ev = (line: string) => line + nl + nl;
      const before = ev(content("a")) + ev(content('say \\"usage\\"'));
      const after = ev("data: [DONE]");
      expect(dec(dropUsageChunks(enc(before + ev(usage) + after)))).toBe(before + after);
      expect(dec(dropUsageChunks(enc(ev(usage) + before)))).toBe(before);
      expect(dec(dropUsageChunks(enc(before + ev(usage))))).toBe(before);
    }
  });
});

