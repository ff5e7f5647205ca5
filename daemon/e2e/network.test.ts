import { describe, expect, test } from "bun:test";
import { seededRandom as prng } from "../../shared/random.ts";
import { fixture } from "./fixtures.ts";
import { crlf, cut, RUN_SEED, segments } from "./network.ts";

const join = (pieces: Uint8Array[]) => Buffer.concat(pieces);

describe("network delivery", () => {
  const sse = crlf(fixture("chat-usage.sse")); // multi-byte text and CRLF line ends

  test(`pieces rejoin to the bytes sent, and the same seed cuts the same way (seed=${RUN_SEED})`, () => {
    const a = cut(sse, prng(RUN_SEED), 128);
    expect(join(a).equals(Buffer.from(sse))).toBe(true);
    expect(a.every((p) => p.length >= 1 && p.length <= 128)).toBe(true);
    expect(cut(sse, prng(RUN_SEED), 128).map((p) => p.length)).toEqual(a.map((p) => p.length));
  });

  test(`cuts fall inside UTF-8 sequences, between CR and LF, and between an event's two line ends (seed=${RUN_SEED})`, () => {
    // Each kind of offset occurs dozens of times in these bodies and is cut one time in three.
    const at = (pieces: Uint8Array[], last: number | null, first: (b: number) => boolean) => pieces.slice(1).some((p, i) => first(p[0]!) && (last === null || pieces[i]!.at(-1) === last));
    const crlfPieces = cut(sse, prng(RUN_SEED), 128);
    expect(at(crlfPieces, null, (b) => (b & 0xc0) === 0x80)).toBe(true); // mid-UTF-8
    expect(at(crlfPieces, 13, (b) => b === 10)).toBe(true); // CR | LF
    expect(at(cut(fixture("chat-tools.sse"), prng(RUN_SEED), 128), 10, (b) => b === 10)).toBe(true); // LF | LF
  });

  test("the usage-only chunk is its own segment, after the text and the finish chunk", () => {
    const segs = segments(fixture("chat-usage.sse")).map((s) => new TextDecoder().decode(s));
    expect(segs).toHaveLength(3);
    expect(segs[0]).toContain('"finish_reason":"stop"');
    expect(segs[1]).toMatch(/^data: \{.*"choices":\[\],"usage":\{/);
    expect(segs[2]).toBe("data: [DONE]\n\n");
    expect(segments(fixture("responses.sse"))).toHaveLength(1);
    const body = fixture("chat-usage.sse");
    const cutMidChar = body.subarray(0, Buffer.from(body).indexOf("你") + 1); // ends inside 你
    expect(join(segments(cutMidChar)).equals(Buffer.from(cutMidChar))).toBe(true); // byte-exact, not re-encoded
  });
});
