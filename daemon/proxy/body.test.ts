import { afterEach, describe, expect, spyOn, test } from "bun:test";
import { readBody } from "./body.ts";
import { createContext } from "./context.ts";
import { HttpError } from "./openai-error.ts";

const URL_ = "http://route/v1/chat/completions";

async function read(body: string, type: string | null) {
  const bytes = new TextEncoder().encode(body);
  const headers: Record<string, string> = { "content-length": String(bytes.length), ...(type ? { "content-type": type } : {}) };
  const req = new Request(URL_, { method: "POST", body: bytes, headers });
  const ctx = createContext(req, new URL(URL_), "t");
  await readBody(ctx, 1 << 20);
  return ctx;
}

describe("reading the request body", () => {
  afterEach(() => {
    (JSON.parse as unknown as { mockRestore?: () => void }).mockRestore?.();
  });

  test.each([["text/plain"], [null], ["application/octet-stream"]])("a JSON object sent as %p is routed by its model and stream flag", async (type) => {
    const ctx = await read(' {"model":"m","stream":true}', type);
    expect([ctx.model, ctx.stream, ctx.bodySummary, ctx.json]).toEqual(["m", true, null, { model: "m", stream: true }]);
  });

  test("text that is not JSON stays unrouted text, not an error", async () => {
    const ctx = await read("{ this is prose", "text/plain");
    expect([ctx.model, ctx.json, ctx.bodySummary]).toEqual([null, null, null]);
  });

  test.each([["application/json"], ["text/plain"]])("a parser that gives up on depth (RangeError) is a 400 with a clear message (%p)", async (type) => {
    spyOn(JSON, "parse").mockImplementation(() => {
      throw new RangeError("Maximum call stack size exceeded.");
    });
    const e = await read('{"a":[[[]]]}', type).catch((x) => x);
    expect(e).toBeInstanceOf(HttpError);
    expect([e.status, e.code, e.message]).toEqual([400, "invalid_request", "request body is nested too deeply to read; flatten it"]);
  });
});
