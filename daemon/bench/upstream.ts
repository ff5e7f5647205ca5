// The benchmark's upstream: a fast OpenAI-style server on loopback. Bodies are built once and
// nothing is parsed beyond what picks the answer, so the proxy in front of it is what gets measured.
// Streams send 20 content chunks, each flushed as its own write. A request with `x-bench-hold: 1`
// sends its first content chunk, then waits for `POST /__release` (the open-streams scenario holds
// thousands of streams open at once that way).
const CHUNKS = 20;
const enc = new TextEncoder();
const base = { id: "chatcmpl-bench", object: "chat.completion.chunk", created: 1_700_000_000, model: "gpt-4o-mini" };
const event = (o: object) => enc.encode(`data: ${JSON.stringify({ ...base, ...o })}\n\n`);
const choice = (delta: object, finish: string | null = null) => ({ choices: [{ index: 0, delta, finish_reason: finish }] });

const preamble = event(choice({ role: "assistant", content: "" }));
const contents = Array.from({ length: CHUNKS }, (_, i) => event(choice({ content: `w${i} ` })));
const tail = Buffer.concat([
  event(choice({}, "stop")),
  event({ choices: [], usage: { prompt_tokens: 9, completion_tokens: CHUNKS, total_tokens: 9 + CHUNKS } }),
  enc.encode("data: [DONE]\n\n"),
]);
const completion = JSON.stringify({
  ...base,
  object: "chat.completion",
  choices: [{ index: 0, message: { role: "assistant", content: "Hello! How can I help you today?" }, finish_reason: "stop" }],
  usage: { prompt_tokens: 9, completion_tokens: 9, total_tokens: 18 },
});
const JSON_HEADERS = { "content-type": "application/json" };
const SSE_HEADERS = { "content-type": "text/event-stream", "cache-control": "no-cache" };

let release!: () => void;
let gate = new Promise<void>((r) => (release = r));

function stream(hold: Promise<void> | null): ReadableStream {
  return new ReadableStream({
    type: "direct",
    async pull(c) {
      c.write(preamble);
      c.write(contents[0]!);
      await c.flush();
      if (hold) await hold;
      for (let i = 1; i < CHUNKS; i++) {
        c.write(contents[i]!);
        await c.flush();
      }
      c.write(tail);
      await c.flush();
      c.close();
    },
  });
}

const server = Bun.serve({
  hostname: "127.0.0.1",
  port: Number(process.env.PORT ?? 0),
  idleTimeout: 0,
  async fetch(req) {
    if (req.url.endsWith("/__release")) {
      const open = gate;
      release();
      gate = new Promise<void>((r) => (release = r));
      await open;
      return new Response("released\n");
    }
    const body = await req.text();
    if (!body.includes('"stream":true')) return new Response(completion, { headers: JSON_HEADERS });
    const hold = req.headers.get("x-bench-hold") === "1" ? gate : null;
    return new Response(stream(hold), { headers: SSE_HEADERS });
  },
});
console.log(JSON.stringify({ port: server.port }));

export {}; // a module, so its top-level names stay its own
