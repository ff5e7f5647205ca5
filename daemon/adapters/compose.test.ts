import { describe, expect, test } from "bun:test";
import { compose } from "./compose.ts";
import type { Adapter } from "./types.ts";

/** A stand-in adapter that tags what passes through it, so the order of the steps shows. */
const tagger = (tag: string): Adapter => ({
  from: "openai",
  to: "openai",
  path: (p) => `${p}/${tag}`,
  request: (b) => ({ ...b, via: [...((b.via as string[]) ?? []), `${tag}>`] }),
  response: (b) => ({ ...b, via: [...((b.via as string[]) ?? []), `<${tag}`] }),
  error: (status, body) => ({ status: status + 1, body: JSON.stringify({ via: [...(((body as any)?.via as string[]) ?? []), `!${tag}`] }) }),
  stream: (opts) => ({ push: (e) => (e ? `${e}${tag}${opts.includeUsage ? "+u" : ""};` : ""), end: () => `end${tag};`, fail: (c) => `fail${tag}:${c};` }),
});

describe("compose", () => {
  const ab = compose(tagger("A"), tagger("B"));
  test("requests go outer then inner; answers and errors come back inner then outer", () => {
    expect(ab.path("/v1/x")).toBe("/v1/x/A/B");
    expect(ab.request({}, { model: "m", stream: false })).toEqual({ via: ["A>", "B>"] });
    expect(ab.response({}, { model: "m" })).toEqual({ via: ["<B", "<A"] });
    expect(ab.error(500, {})).toEqual({ status: 502, body: JSON.stringify({ via: ["!B", "!A"] }) });
  });

  test("streams: the inner translation feeds the outer one; the middle always has usage; a failure is the outer format's", () => {
    const s = ab.stream({ model: "m", includeUsage: false });
    expect(s.push("e1")).toBe("e1B+u;A;");
    expect(s.end()).toBe("endB;A;endA;");
    expect(s.fail("x", "y")).toBe("failA:x;");
  });
});
