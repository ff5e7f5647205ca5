import { describe, expect, test } from "bun:test";
import { displayWidth, duration, layout, pct, rate, truncate, wrap } from "./format.ts";
import { asciiFromEnv, colorFromEnv } from "./theme.ts";
import { splitKeys } from "./text-edit.ts";
import type { Key } from "ink";

describe("format", () => {
  test("truncate counts cells (CJK is two) and uses the given ellipsis", () => {
    expect(truncate("hello world", 8)).toBe("hello w…");
    expect(truncate("hello world", 8, "~")).toBe("hello w~");
    expect(displayWidth(truncate("模型名字很长", 7))).toBeLessThanOrEqual(7);
    expect(truncate("a\nb\tc", 10)).toBe("a b c");
  });

  test("layout gives growing columns what is left, and never less than their width", () => {
    const cols = [{ header: "A", width: 4 }, { header: "B", width: 5, grow: 1 }, { header: "C", width: 5, grow: 3 }];
    expect(layout(cols, 30)).toEqual([4, 8, 16]); // 1:3 of the 14 spare cells, the rounding to the last
    expect(layout(cols, 10)).toEqual([4, 5, 5]);
  });

  test("wrap keeps line breaks and hard-breaks long words", () => {
    expect(wrap("one two three\nfour", 8)).toEqual(["one two", "three", "four"]);
    expect(wrap("abcdefghij", 4)).toEqual(["abcd", "efgh", "ij"]);
  });

  test("numbers fit five cells", () => {
    expect([rate(0), rate(2.345), rate(123.4), rate(12_345)]).toEqual(["0", "2.3", "123", "12k"]);
    expect([pct(null), pct(0), pct(0.0123), pct(0.5)]).toEqual(["-", "0%", "1.2%", "50%"]);
    expect([duration(59), duration(61), duration(3700), duration(90_000)]).toEqual(["59s", "1m01s", "1h01m", "1d01h"]);
  });
});

describe("environment", () => {
  test("NO_COLOR turns colour off; a non-UTF-8 locale (or ROUTE_TUI_ASCII) means ASCII", () => {
    expect(colorFromEnv({ NO_COLOR: "1" })).toBe(false);
    expect(colorFromEnv({})).toBe(true);
    expect(asciiFromEnv({ LANG: "en_US.UTF-8" })).toBe(false);
    expect(asciiFromEnv({ LANG: "C" })).toBe(true);
    expect(asciiFromEnv({})).toBe(true);
    expect(asciiFromEnv({ LC_ALL: "C", LANG: "en_US.UTF-8" })).toBe(true); // LC_ALL wins, as for setlocale
    expect(asciiFromEnv({ LANG: "en_US.UTF-8", ROUTE_TUI_ASCII: "1" })).toBe(true);
  });
});

describe("key chunks", () => {
  const key = { tab: false, return: false, ctrl: false, shift: false } as unknown as Key;
  test("text with tabs and returns in one chunk becomes separate presses; command keys become one press each", () => {
    expect(splitKeys("ab\tcd\r", key).map((p) => (p.key.tab ? "TAB" : p.key.return ? "RET" : p.input))).toEqual(["ab", "TAB", "cd", "RET"]);
    expect(splitKeys("hello", key)).toHaveLength(1);
    expect(splitKeys("t1", key, "keys").map((p) => p.input)).toEqual(["t", "1"]);
  });
});
