// A second floor: the least a *logging* gateway can do per request, with none of Route's routing,
// failover, limits, health, metrics or stats. It checks the client key (SHA-256, constant time),
// parses the body for the model, calls one upstream with a timeout and client-abort wiring, buffers
// and parses the reply, and writes one row per request with Route's own schema and insert path (a
// batch every 100 ms, on the log thread). Streams are forwarded chunk by chunk as they arrive (a
// direct stream: no per-chunk parsing), kept as bytes, and their reply text is assembled from the
// SSE deltas once the stream ends. Where it lands against the bare proxy bounds what any gateway
// that records every request with its reply can reach on the same machine.
import { timingSafeEqual } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openSqliteStore } from "../store/sqlite/open.ts";
import type { LogRow } from "../store/types.ts";

const upstream = process.env.UPSTREAM; // e.g. http://127.0.0.1:4000 (no trailing slash)
if (!upstream) throw new Error("set UPSTREAM to the upstream's origin");
const auth = `Bearer ${process.env.UPSTREAM_KEY ?? "sk-bench-upstream"}`;
const keyDigest = Bun.SHA256.hash(process.env.CLIENT_KEY ?? "bench-client-key") as Uint8Array;
const store = openSqliteStore(process.env.DB ?? join(mkdtempSync(join(tmpdir(), "route-lean-")), "db.sqlite"));
const decoder = new TextDecoder();
const JSON_HEADERS = { "content-type": "application/json" };
const denied = () => new Response('{"error":{"message":"wrong key","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}', { status: 401, headers: JSON_HEADERS });

let rows: LogRow[] = [];
const flush = () => {
  if (rows.length === 0) return;
  const batch = rows;
  rows = [];
  store.insertLogs(batch).catch((err) => console.error(`lean: ${batch.length} rows not written: ${err}`));
};
setInterval(flush, 100);

const server = Bun.serve({
  hostname: "127.0.0.1",
  port: Number(process.env.PORT ?? 0),
  idleTimeout: 0,
  async fetch(req, srv) {
    const ts = Date.now();
    const t0 = performance.now();
    const token = (req.headers.get("authorization") ?? "").slice(7);
    if (!timingSafeEqual(Bun.SHA256.hash(token) as Uint8Array, keyDigest)) return denied();
    const url = req.url;
    const path = url.slice(url.indexOf("/", url.indexOf("//") + 2));
    const body = new Uint8Array(await req.arrayBuffer());
    const text = decoder.decode(body);
    const model = (JSON.parse(text) as { model?: string }).model ?? null;
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(), 60_000);
    req.signal.addEventListener("abort", () => ac.abort(), { once: true });
    const res = await fetch(upstream + path, { method: "POST", headers: { "content-type": "application/json", authorization: auth }, body, signal: ac.signal });
    const id = Bun.randomUUIDv7();
    const row = (replyText: string | null, usage: Record<string, number> | undefined, stream: boolean): LogRow => {
      const totalMs = Math.round(performance.now() - t0);
      return {
        id, ts, clientIp: srv.requestIP(req)?.address ?? null, method: req.method, path, model, stream,
        requestBody: text, requestBytes: body.length, requestTruncated: false, upstreamId: 1, upstreamName: "fake", upstreamModel: null,
        plan: ["fake"], attempts: [{ upstreamId: 1, upstream: "fake", outcome: "ok", status: res.status, ms: totalMs }], status: res.status,
        ttfbMs: totalMs, ttftMs: null, totalMs, replyText, toolCalls: null,
        promptTokens: usage?.prompt_tokens ?? null, completionTokens: usage?.completion_tokens ?? null,
        totalTokens: usage?.total_tokens ?? null, tokensEstimated: false, errorCode: null, errorMessage: null,
        userAgent: req.headers.get("user-agent"), upstreamRequestId: null, bodiesDropped: false,
        keyId: null, keyName: null, costMicros: null, priceSource: null, cachedTokens: null, cacheWriteTokens: null, reasoningTokens: null, affinity: false, bodiesOmitted: null, replyTruncated: false,
      };
    };
    if (text.includes('"stream":true')) {
      const reader = res.body!.getReader();
      const kept: Uint8Array[] = [];
      const out = new ReadableStream({
        type: "direct",
        async pull(c) {
          for (;;) {
            const { done, value } = await reader.read();
            if (done) break;
            kept.push(value);
            c.write(value);
            c.flush();
          }
          clearTimeout(timer);
          let reply = "";
          let usage: Record<string, number> | undefined;
          for (const line of decoder.decode(Buffer.concat(kept)).split("\n")) {
            if (!line.startsWith("data: {")) continue;
            const e = JSON.parse(line.slice(6)) as { choices?: { delta?: { content?: string } }[]; usage?: Record<string, number> };
            reply += e.choices?.[0]?.delta?.content ?? "";
            usage = e.usage ?? usage;
          }
          rows.push(row(reply, usage, true));
          if (rows.length >= 256) flush();
        },
      });
      return new Response(out, { status: res.status, headers: { "content-type": "text/event-stream", "x-request-id": id } });
    }
    const reply = new Uint8Array(await res.arrayBuffer());
    clearTimeout(timer);
    const parsed = JSON.parse(decoder.decode(reply)) as { choices?: { message?: { content?: string } }[]; usage?: Record<string, number> };
    rows.push(row(parsed.choices?.[0]?.message?.content ?? null, parsed.usage, false));
    if (rows.length >= 256) flush();
    return new Response(reply, { status: res.status, headers: { ...JSON_HEADERS, "x-request-id": id } });
  },
});
console.log(JSON.stringify({ port: server.port }));
process.on("SIGTERM", () => process.exit(0));
