import { beforeAll, describe, expect, test } from "bun:test";
import OpenAI from "openai";
import type { FakeUpstream } from "./fake-upstream.ts";
import { chatBody } from "./harness.ts";
import { e2eSuite, type RouteOptions } from "./suite.ts";

const suite = e2eSuite("A");
let a: FakeUpstream;
beforeAll(() => void ([a] = suite.upstreams));

const route = (opts: RouteOptions = {}) => suite.route([{ name: "a", sk: "sk-a-secret", endpoint: a.url }], opts);

async function readUntil(reader: ReadableStreamDefaultReader<Uint8Array>, needle: string): Promise<string> {
  const dec = new TextDecoder();
  let text = "";
  while (!text.includes(needle)) {
    const { done, value } = await reader.read();
    if (done) throw new Error(`stream ended before ${needle}: ${text}`);
    text += dec.decode(value);
  }
  return text;
}

suite.eachDelivery(() => describe("stream forwarding", () => {
  test("chunks reach the client while the upstream is still generating (no buffering)", async () => {
    const r = await route();
    let release!: () => void;
    a.next({ stream: { chunks: 3, holdBefore: { index: 1, until: new Promise<void>((res) => (release = res)) } } });
    const res = await r.post("/v1/chat/completions", chatBody({ stream: true }));
    const reader = res.body!.getReader() as ReadableStreamDefaultReader<Uint8Array>;
    // The upstream will not send w1 until the client has seen w0: buffering would deadlock here.
    expect(await readUntil(reader, "w0 ")).not.toContain("w1");
    release();
    expect(await readUntil(reader, "[DONE]")).toContain("w2");
  });

  test("SSE split into single bytes: assembled correctly", async () => {
    const r = await route();
    a.next({ stream: { chunks: 5, splitEvents: true } });
    const stream = await r.client.chat.completions.create(chatBody({ stream: true }));
    let text = "";
    for await (const c of stream) text += c.choices[0]?.delta?.content ?? "";
    expect(text).toBe("w0 w1 w2 w3 w4 ");
    expect((await r.rows()).at(-1)!.replyText).toBe("w0 w1 w2 w3 w4 ");
  });

  test("upstream dies mid-stream: client gets what arrived, then an in-band error event", async () => {
    const r = await route();
    let release!: () => void;
    const until = new Promise<void>((res) => (release = res));
    a.next({ stream: { chunks: 5, resetAfter: 2, holdBefore: { index: 2, until } } });
    const stream = await r.client.chat.completions.create(chatBody({ stream: true }));
    let text = "";
    const err = await (async () => {
      for await (const c of stream) {
        text += c.choices[0]?.delta?.content ?? "";
        if (text === "w0 w1 ") release(); // the client has both chunks: now the upstream dies
      }
    })().catch((e) => e);
    expect(text).toBe("w0 w1 ");
    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect(err.message).toContain("upstream connection lost mid-stream");
    const row = (await r.rows()).at(-1)!;
    expect(row).toMatchObject({ status: 200, errorCode: "upstream_reset", replyText: "w0 w1 " });
  });

  test("a gap longer than the stall limit ends the stream with upstream_stall", async () => {
    const r = await route({ config: { stall_timeout: "200ms" } });
    a.next({ stream: { chunks: 3, pauseAt: { index: 1, ms: 3000 } } });
    const aborted = a.nextAbort();
    const res = await r.post("/v1/chat/completions", chatBody({ stream: true }));
    const text = await res.text();
    expect(text).toContain("w0");
    expect(text).not.toContain("w1");
    const last = text.trim().split("\n\n").at(-1)!;
    expect(JSON.parse(last.slice(6)).error.code).toBe("upstream_stall");
    await aborted; // the stalled upstream request is cancelled
    expect((await r.rows()).at(-1)!.errorCode).toBe("upstream_stall");
  });

  test("client disconnect mid-stream aborts the upstream at once and logs 499", async () => {
    const r = await route();
    let release!: () => void;
    a.next({ stream: { chunks: 3, holdBefore: { index: 1, until: new Promise<void>((res) => (release = res)) } } });
    const ac = new AbortController();
    const res = await r.post("/v1/chat/completions", chatBody({ stream: true }), {});
    const reader = res.body!.getReader() as ReadableStreamDefaultReader<Uint8Array>;
    await readUntil(reader, "w0 ");
    const aborted = a.nextAbort();
    await reader.cancel();
    ac.abort();
    await aborted;
    release();
    await r.daemon.pipeline.idle();
    const row = (await r.rows()).at(-1)!;
    expect(row).toMatchObject({ status: 499, errorCode: "client_closed", replyText: "w0 " });
  });

  test("client disconnect before the response aborts the upstream request", async () => {
    const r = await route();
    a.next({ hang: true });
    const ac = new AbortController();
    const arrived = a.nextRequest();
    const pending = fetch(`${r.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: "Bearer route-test-client-key", "content-type": "application/json" },
      body: JSON.stringify(chatBody()),
      signal: ac.signal,
    }).catch((e) => e);
    await arrived;
    const aborted = a.nextAbort();
    ac.abort();
    await pending;
    await aborted;
    await r.daemon.pipeline.idle(); // the proxy has finished the request (and so queued its row)
    const rows = await r.rows();
    expect(rows.at(-1)).toMatchObject({ status: 499, errorCode: "client_closed" });
  });
}));

// Once only: about Bun's idle timeout, not about how the bytes are cut (and 15 s long).
describe("stream forwarding: long pause", () => {
  test("a 15 s pause inside a stream survives Bun's 10 s idle timeout", async () => {
    const r = await route({ clientIdleTimeoutS: 10, config: { stall_timeout: "30s" } });
    a.next({ stream: { chunks: 2, pauseAt: { index: 1, ms: 15_000 } } });
    const stream = await r.client.chat.completions.create(chatBody({ stream: true }));
    let text = "";
    for await (const c of stream) text += c.choices[0]?.delta?.content ?? "";
    expect(text).toBe("w0 w1 ");
  }, 30_000);
});
