import { describe, expect, test } from "bun:test";
import { eventsFromRequest } from "../notify/request-events.ts";
import { createContext } from "./context.ts";
import { toLogRow } from "./log-entry.ts";

const URL_ = "http://route/v1/chat/completions";
const deep = (n: number) => JSON.parse(`${"[".repeat(n)}${"]".repeat(n)}`);

describe("request log row", () => {
  test("a deeply nested request still gives its row (tokens estimated) and its alert excerpt", () => {
    const ctx = createContext(new Request(URL_, { method: "POST" }), new URL(URL_), "t");
    const text = `{"messages":${"[".repeat(200_000)}${"]".repeat(200_000)}}`;
    ctx.body = new TextEncoder().encode(text);
    ctx.bodyText = text;
    ctx.json = { messages: [deep(200_000), { role: "user", content: deep(200_000) }], input: deep(200_000) };
    ctx.status = 200;
    ctx.responseBody = new TextEncoder().encode('{"choices":[{"message":{"role":"assistant","content":"hi"}}]}');
    const row = toLogRow(ctx);
    expect([row.requestBody, row.replyText, row.tokensEstimated]).toEqual([text, "hi", true]);
    ctx.errorCode = "upstream_error";
    expect(eventsFromRequest(ctx, true).map((e) => e.type)).toEqual(["request_failed"]);
  });
});
