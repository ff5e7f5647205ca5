import { describe, expect, test } from "bun:test";
import { openaiToAnthropic } from "./index";

type Json = Record<string, unknown>;
const FIXTURES = `${import.meta.dir}/../fixtures/anthropic-upstream`;
const MODEL = "claude-sonnet-4";
const STREAMS = ["stream-text.sse", "stream-tool-use.sse", "stream-parallel-tools.sse", "stream-thinking.sse", "stream-cache.sse", "stream-error.sse"];

const read = (name: string) => Bun.file(`${FIXTURES}/${name}`).text();
/** The upstream stream as whole events, each with its terminating blank line. */
const eventsOf = (text: string) => text.split(/(?<=\n\n)/).filter((e) => e.trim() !== "");

function translate(pushes: string[], includeUsage: boolean, finish: "end" | "none" = "end"): string {
  const t = openaiToAnthropic.stream({ model: MODEL, includeUsage });
  let out = pushes.map((p) => t.push(p)).join("");
  if (finish === "end") out += t.end();
  return out;
}

/** The data payloads of the translated SSE; [DONE] stays a string. */
function payloads(sse: string): (Json | string)[] {
  expect(sse === "" || sse.endsWith("\n\n")).toBe(true);
  return sse.split("\n\n").filter((e) => e !== "").map((e) => {
    expect(e.startsWith("data: ")).toBe(true);
    const data = e.slice(6);
    return data === "[DONE]" ? data : (JSON.parse(data) as Json);
  });
}

const deltas = (sse: string) => payloads(sse).filter((p): p is Json => typeof p !== "string" && Array.isArray(p.choices) && (p.choices as Json[]).length > 0)
  .map((p) => ((p.choices as Json[])[0] as Json));

describe("openai → anthropic stream", () => {
  test("text: exact chunks; ping gives nothing; no usage key when not asked", async () => {
    const out = translate([await read("stream-text.sse")], false);
    const head = { id: "msg_01HCRqW5Dp7gmGBC5Hi8Ltwx", object: "chat.completion.chunk", created: 0, model: MODEL };
    const c = (delta: Json, finish: string | null = null) => ({ ...head, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] });
    expect(payloads(out)).toEqual([
      c({ role: "assistant", content: "" }),
      c({ content: "Hello" }),
      c({ content: "! How can I help you today?" }),
      c({}, "stop"),
      "[DONE]",
    ]);
  });

  test("tool use: one tool_calls start with index 0, id, name, empty arguments; then argument pieces", async () => {
    const d = deltas(translate([await read("stream-tool-use.sse")], false));
    const calls = d.filter((x) => (x.delta as Json).tool_calls).map((x) => ((x.delta as Json).tool_calls as Json[])[0]);
    expect(calls[0]).toEqual({ index: 0, id: "toolu_01T1x1fJ34qAmk2tNTrN7Up6", type: "function", function: { name: "get_weather", arguments: "" } });
    expect(calls.slice(1).every((c) => (c as Json).index === 0 && !("id" in (c as Json)))).toBe(true);
    expect(calls.map((c) => ((c as Json).function as Json).arguments).join("")).toBe("{\"location\": \"San Francisco, CA\", \"unit\": \"fahrenheit\"}");
    expect(d.at(-1)?.finish_reason).toBe("tool_calls");
  });

  test("parallel tool uses get running indexes 0 and 1, not the content block indexes", async () => {
    const d = deltas(translate([await read("stream-parallel-tools.sse")], false));
    const starts = d.map((x) => ((x.delta as Json).tool_calls as Json[] | undefined)?.[0]).filter((c) => c && "id" in c);
    expect(starts.map((c) => [(c as Json).index, (c as Json).id])).toEqual([[0, "toolu_01Sp3vVhVS7ztmcJ6aB2Qe9v"], [1, "toolu_01QBhBvbmWZaXUXbVGchvF4k"]]);
  });

  test("thinking → reasoning_content deltas; signature_delta dropped", async () => {
    const out = translate([await read("stream-thinking.sse")], false);
    expect(out).not.toContain("signature");
    const d = deltas(out).map((x) => x.delta as Json);
    expect(d.filter((x) => x.reasoning_content).map((x) => x.reasoning_content).join("")).toBe("The user asks for 27 * 453. 27 * 453 = 12231.");
    expect(d.filter((x) => x.content).map((x) => x.content).join("")).toBe("27 × 453 = **12,231**");
  });

  test("include_usage: usage null on chunks, then a usage-only chunk with the cache split, then [DONE]", async () => {
    const p = payloads(translate([await read("stream-cache.sse")], true));
    expect(p[p.length - 1]).toBe("[DONE]");
    const last = p[p.length - 2] as Json;
    expect(last.choices).toEqual([]);
    expect(last.usage).toEqual({ prompt_tokens: 2129, completion_tokens: 10, total_tokens: 2139, prompt_tokens_details: { cached_tokens: 1920, cache_creation_tokens: 188 } });
    expect(p.slice(0, -2).every((c) => (c as Json).usage === null)).toBe(true);
    expect(deltas(translate([await read("stream-cache.sse")], true)).at(-1)?.finish_reason).toBe("length");
  });

  test("an error event mid-stream → in-band OpenAI error, no finish_reason, no [DONE], nothing after", async () => {
    const t = openaiToAnthropic.stream({ model: MODEL, includeUsage: true });
    const out = t.push(await read("stream-error.sse")) + t.end();
    const p = payloads(out);
    expect(p.at(-1)).toEqual({ error: { message: "Overloaded", type: "server_error", param: null, code: "overloaded" } });
    expect(out).not.toContain("[DONE]");
    expect(deltas(out).every((x) => x.finish_reason === null)).toBe(true);
    expect(t.push("event: ping\ndata: {\"type\":\"ping\"}\n\n") + t.fail("x", "y")).toBe("");
  });

  test("upstream closed before message_stop: nothing invented", async () => {
    const events = eventsOf(await read("stream-tool-use.sse"));
    const cut = events.slice(0, events.findIndex((e) => e.includes("message_delta")));
    const out = translate(cut, true);
    expect(out).not.toContain("[DONE]");
    expect(out).not.toContain("finish_reason\":\"");
  });

  test("fail(): OpenAI in-band server_error, then nothing more", async () => {
    const t = openaiToAnthropic.stream({ model: MODEL, includeUsage: false });
    t.push(eventsOf(await read("stream-text.sse"))[0]!);
    expect(t.fail("upstream_stalled", "the upstream stopped sending")).toBe(
      "data: {\"error\":{\"message\":\"the upstream stopped sending\",\"type\":\"server_error\",\"param\":null,\"code\":\"upstream_stalled\"}}\n\n");
    expect(t.push("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n") + t.end()).toBe("");
  });

  test("an event that is not JSON ends the stream with an in-band error", () => {
    const out = translate(["event: content_block_delta\ndata: {oops\n\n"], false);
    expect(payloads(out)).toEqual([{ error: { message: "the upstream sent a stream event that is not JSON", type: "server_error", param: null, code: "bad_upstream_event" } }]);
  });

  for (const name of STREAMS) {
    test(`${name}: split at every event boundary = fed in one go (CRLF too)`, async () => {
      const text = await read(name);
      const events = eventsOf(text);
      for (const usage of [false, true]) {
        const whole = translate([text], usage);
        expect(translate(events, usage)).toBe(whole);
        for (let k = 1; k < events.length; k++) {
          expect(translate([events.slice(0, k).join(""), events.slice(k).join("")], usage)).toBe(whole);
        }
        expect(translate([text.replaceAll("\n", "\r\n")], usage)).toBe(whole);
      }
    });
  }
});
