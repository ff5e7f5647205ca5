import { describe, expect, test } from "bun:test";
import { pump, SHUTDOWN, type PumpEnd } from "./pump.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

/**
 * An upstream body that hands out one piece per read (as TCP reads do), each only when asked, then
 * waits (a live connection) or ends.
 */
function upstream(pieces: string[], then: "end" | "wait" = "end") {
  let fail!: (e: Error) => void;
  const waiting = new Promise<never>((_, reject) => (fail = reject));
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(c) {
        const p = pieces.shift();
        if (p !== undefined) c.enqueue(enc.encode(p));
        else if (then === "end") c.close();
        else await waiting;
      },
    },
    { highWaterMark: 0 },
  );
  return { reader: body.getReader() as ReadableStreamDefaultReader<Uint8Array>, reset: () => fail(new Error("reset")) };
}

async function readAll(s: ReadableStream<Uint8Array>): Promise<string> {
  let out = "";
  for await (const c of s as unknown as AsyncIterable<Uint8Array>) out += dec.decode(c);
  return out;
}

/** Forwards whole lines only, like the SSE event framing does: half a line yields nothing yet. */
function wholeLines() {
  let rest = "";
  return {
    transform(chunk: Uint8Array): Uint8Array | null {
      const t = rest + dec.decode(chunk);
      const cut = t.lastIndexOf("\n") + 1;
      rest = t.slice(cut);
      return cut === 0 ? null : enc.encode(t.slice(0, cut));
    },
    flush: () => (rest ? enc.encode(rest) : null),
  };
}

describe("pump", () => {
  test("a read that yields nothing to forward does not end the pulling: the rest still arrives", async () => {
    const up = upstream(["da", "ta: one", "\n", "data: t", "wo\n", "tail"]);
    const ends: PumpEnd[] = [];
    const out = pump({ reader: up.reader, ...wholeLines(), stallMs: 10_000, controller: new AbortController(), onEnd: (e) => ends.push(e) });
    expect(await readAll(out)).toBe("data: one\ndata: two\ntail");
    expect(ends).toEqual([{ kind: "done" }]);
  }, 5_000);

  test("a stream whose last chunks are all held back still ends", async () => {
    const up = upstream(["shown\n", "hide me\n", "hide me too\n"]);
    const out = pump({ reader: up.reader, transform: (c) => (dec.decode(c).startsWith("hide") ? null : c), stallMs: 10_000, controller: new AbortController(), onEnd: () => {} });
    expect(await readAll(out)).toBe("shown\n");
  }, 5_000);

  test("shutdown: the stream ends with the tail event and is reported as shutting_down", async () => {
    const up = upstream(["data: a\n"], "wait");
    const ac = new AbortController();
    const ends: PumpEnd[] = [];
    const out = pump({ reader: up.reader, tail: (e) => enc.encode(`error:${e.code}\n`), stallMs: 10_000, controller: ac, onEnd: (e) => ends.push(e) });
    // The upstream fetch rejects its reads when its signal aborts; this reader stands for it.
    ac.signal.addEventListener("abort", () => up.reset());
    const reader = out.getReader();
    expect(dec.decode((await reader.read()).value)).toBe("data: a\n");
    ac.abort(SHUTDOWN);
    expect(dec.decode((await reader.read()).value)).toBe("error:shutting_down\n");
    expect((await reader.read()).done).toBe(true);
    expect(ends).toEqual([{ kind: "upstream_error", code: "shutting_down", message: expect.stringContaining("shutting down") }]);
  }, 5_000);
});
