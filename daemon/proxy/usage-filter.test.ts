import { describe, expect, test } from "bun:test";
import { hideInjectedUsage, withoutNullUsage } from "./usage-filter.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

describe("usage filter", () => {
  test("chunks without usage pass through as the same bytes", () => {
    const b = enc('data: {"choices":[{"delta":{"content":"say \\"usage\\""}}]}\n\n');
    expect(hideInjectedUsage(b)).toBe(b);
  });

  test("the usage-only event goes; others (CRLF, usage beside choices) stay byte for byte but for usage: null", () => {
    const keep = 'data: {"choices":[{"delta":{},"finish_reason":"stop"}],"usage":null}\r\n\r\n';
    const usage = 'data: {"choices": [], "usage": {"prompt_tokens": 5, "completion_tokens": 3}}\r\n\r\n';
    const kept = 'data: {"choices":[{"delta":{},"finish_reason":"stop"}]}\r\n\r\n';
    expect(dec(hideInjectedUsage(enc(keep + usage + "data: [DONE]\r\n\r\n")))).toBe(kept + "data: [DONE]\r\n\r\n");
    expect(dec(hideInjectedUsage(enc(usage.replaceAll("\r\n", "\n"))))).toBe("");
  });

  test("a whole stream in one chunk: only the usage-only event goes, whatever the line ends", () => {
    const usage = 'data: {"id":"x","choices":[],"usage":{"prompt_tokens":5,"completion_tokens":3,"total_tokens":8}}';
    const content = (t: string) => `data: {"choices":[{"index":0,"delta":{"content":"${t}"}}],"usage":null}`;
    for (const nl of ["\n", "\r\n", "\r"]) {
      const ev = (line: string) => line + nl + nl;
      const before = ev(content("a")) + ev(content('say \\"usage\\"'));
      const shown = before.replaceAll(',"usage":null', "");
      const after = ev("data: [DONE]");
      expect(dec(hideInjectedUsage(enc(before + ev(usage) + after)))).toBe(shown + after);
      expect(dec(hideInjectedUsage(enc(ev(usage) + before)))).toBe(shown);
      expect(dec(hideInjectedUsage(enc(before + ev(usage))))).toBe(shown);
    }
  });

  test("usage: null is cut as text, wherever it stands, and only at the top level", () => {
    const cases: [string, string | null][] = [
      ['{"a":1,"usage":null,"b":2}', '{"a":1,"b":2}'],
      ['{"usage":null,"b":2}', '{"b":2}'],
      ['{"a":1,"usage":null}', '{"a":1}'],
      ['{ "a" : 1 , "usage" : null }', '{ "a" : 1 }'],
      ['{"usage":null}', "{}"],
      ['{"a":{"usage":null},"b":"\\"usage\\":null"}', null], // nested, and inside a string
      ['{"usage":{"total_tokens":3}}', null],
      ['{"x":"\\\\","usage":null,"seed":12345678901234567891}', '{"x":"\\\\","seed":12345678901234567891}'],
    ];
    for (const [input, out] of cases) {
      const edited = withoutNullUsage(enc(`data: ${input}\n\n`));
      expect(edited && dec(edited)).toBe(out === null ? null : `data: ${out}\n\n`);
      if (out !== null) expect(JSON.parse(out)).toEqual(Object.fromEntries(Object.entries(JSON.parse(input)).filter(([k]) => k !== "usage")));
    }
  });
});
