import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import OpenAI from "openai";
import { startFakeUpstream, type FakeUpstream } from "./fake-upstream.ts";
import { CLIENT_KEY, chatBody, json, startRoute, type Route } from "./harness.ts";
import { eachDelivery } from "./suite.ts";

let a: FakeUpstream;
let route: Route;

beforeAll(async () => {
  a = await startFakeUpstream("A");
  route = await startRoute([{ name: "a", sk: "sk-upstream-a-secret", endpoint: a.url }]);
});
afterAll(async () => {
  await route.stop();
  a.stop();
});

eachDelivery(() => [a], () => describe("openai SDK through Route", () => {
  test("non-stream chat completion: reply, usage and route headers", async () => {
    const { data, response } = await route.client.chat.completions.create(chatBody()).withResponse();
    expect(data.choices[0]!.message.content).toBe("hello from A");
    expect(response.headers.get("x-route-upstream")).toBe("a");
    expect(response.headers.get("x-route-attempts")).toBe("a=ok");
    const last = a.received.at(-1)!;
    expect(last.path).toBe("/v1/chat/completions");
    expect(last.headers.authorization).toBe("Bearer sk-upstream-a-secret");
  });

  test("stream: content arrives and the log row holds the assembled reply text", async () => {
    a.next({ stream: { chunks: 4 } });
    const stream = await route.client.chat.completions.create(chatBody({ stream: true }));
    let text = "";
    for await (const c of stream) text += c.choices[0]?.delta?.content ?? "";
    expect(text).toBe("w0 w1 w2 w3 ");
    const row = (await route.rows()).at(-1)!;
    expect(row.stream).toBe(true);
    expect(row.replyText).toBe("w0 w1 w2 w3 ");
    expect(row.ttftMs).not.toBeNull();
    expect(row.status).toBe(200);
  });

  test("stream with include_usage: tokens recorded", async () => {
    const stream = await route.client.chat.completions.create(chatBody({ stream: true, stream_options: { include_usage: true } }));
    for await (const _ of stream);
    const row = (await route.rows()).at(-1)!;
    expect(row.promptTokens).toBe(5);
    expect(row.completionTokens).toBe(3);
  });

  test("embeddings", async () => {
    const r = await route.client.embeddings.create({ model: "text-embedding-3-small", input: "x" });
    expect(r.data[0]!.embedding).toEqual([0.5, 0.25, 0.125]);
    const row = (await route.rows()).at(-1)!;
    expect(row.path).toBe("/v1/embeddings");
    expect(row.promptTokens).toBe(3);
  });

  test("models list and query strings are forwarded", async () => {
    const models = await route.client.models.list();
    expect(models.data[0]!.id).toBe("gpt-4o-mini");
    await fetch(`${route.url}/v1/files?purpose=batch&limit=2`, { headers: { authorization: `Bearer ${CLIENT_KEY}` } });
    expect(a.received.at(-1)!.search).toBe("?purpose=batch&limit=2");
  });

  test("audio: multipart upload forwarded intact, binary response decoded", async () => {
    const file = new File([new Uint8Array(3000).fill(7)], "clip.wav", { type: "audio/wav" });
    const t = await route.client.audio.transcriptions.create({ file, model: "whisper-1" });
    expect(t.text).toBe("transcribed by A");
    const got = a.received.at(-1)!;
    expect(got.headers["content-type"]).toStartWith("multipart/form-data");
    expect(got.body).toContain("whisper-1");
    const row = (await route.rows()).at(-1)!;
    expect(row.model).toBe("whisper-1");
    expect(JSON.parse(row.requestBody!).file).toEqual({ filename: "clip.wav", type: "audio/x-wav", bytes: 3000 });

    const speech = await route.client.audio.speech.create({ model: "tts-1", voice: "alloy", input: "hi" });
    const bytes = new Uint8Array(await speech.arrayBuffer());
    expect(bytes.length).toBe(4096);
    expect(bytes[250]).toBe(250);
  });

  test("SDK error classes follow the status", async () => {
    a.next({ status: 400, body: { error: { message: "bad param", type: "invalid_request_error", code: "bad" } } });
    const fails = () => route.client.chat.completions.create(chatBody()).catch((e) => e);
    expect(await fails()).toBeInstanceOf(OpenAI.BadRequestError);
    a.next({ status: 404, body: { error: { message: "no such model", type: "invalid_request_error", code: "model_not_found" } } });
    expect(await fails()).toBeInstanceOf(OpenAI.NotFoundError);
    a.next({ status: 500 });
    expect(await fails()).toBeInstanceOf(OpenAI.InternalServerError);
    a.next({ status: 429, headers: { "retry-after": "7" } });
    const err = await fails();
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    expect(err.headers.get("retry-after")).toBe("7");
  });

  test("wrong or missing client key: 401 AuthenticationError with the seed's messages", async () => {
    const bad = new OpenAI({ apiKey: "nope", baseURL: `${route.url}/v1`, maxRetries: 0 });
    const err = await bad.chat.completions.create(chatBody()).catch((e) => e);
    expect(err).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(err.error.message).toBe("wrong authorization header");
    const r = await fetch(`${route.url}/v1/models`, { headers: { authorization: "Basic abc" } });
    expect(r.status).toBe(401);
    expect((await json(r)).error).toEqual({
      message: "authorization header should start with 'Bearer'",
      type: "authentication_error",
      param: null,
      code: "invalid_api_key",
    });
    expect((await fetch(`${route.url}/v1/models`)).status).toBe(401);
  });
}));
