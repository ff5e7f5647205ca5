// A minimal OpenAI-style upstream for route-tui's end-to-end test: chat completions (JSON or SSE
// stream) answering "reply from <name> to: <last user message>", and GET /models. The daemon's own
// scriptable fake lives under daemon/, which tui/ does not import.
export function startTinyUpstream(name: string) {
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(req) {
      const url = new URL(req.url);
      if (url.pathname.endsWith("/models")) return Response.json({ object: "list", data: [{ id: "gpt-4o-mini", object: "model", created: 0, owned_by: name }] });
      if (!url.pathname.endsWith("/chat/completions")) return Response.json({ error: { message: "not found" } }, { status: 404 });
      const body = (await req.json()) as { model?: string; stream?: boolean; messages?: { role: string; content: string }[] };
      const model = body.model ?? "unknown";
      const text = `reply from ${name} to: ${body.messages?.at(-1)?.content ?? ""}`;
      const usage = { prompt_tokens: 9, completion_tokens: 6, total_tokens: 15 };
      if (!body.stream) {
        return Response.json({ id: "chatcmpl-tiny", object: "chat.completion", created: 0, model, choices: [{ index: 0, message: { role: "assistant", content: text }, finish_reason: "stop" }], usage });
      }
      const event = (delta: object, finish: string | null = null) => `data: ${JSON.stringify({ id: "chatcmpl-tiny", object: "chat.completion.chunk", created: 0, model, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
      const words = text.split(/(?<= )/);
      const sse = [event({ role: "assistant", content: "" }), ...words.map((w) => event({ content: w })), event({}, "stop"), "data: [DONE]\n\n"].join("");
      return new Response(sse, { headers: { "content-type": "text/event-stream" } });
    },
  });
  return { url: `http://127.0.0.1:${server.port}/v1`, stop: () => server.stop(true) };
}
