import { describe, expect, test } from "bun:test";
import { responsesToChat } from "./index.ts";

const FIXTURES = ["text-stream.sse", "parallel-tools-stream.sse", "no-index-tools-stream.sse", "reasoning-stream.sse"];
const read = (name: string) => Bun.file(`${import.meta.dir}/../fixtures/openai/${name}`).text();
const translator = () => responsesToChat.stream({ model: "gpt-4o", includeUsage: false });

type Ev = Record<string, any> & { type: string; sequence_number: number };
/** Parses the translated stream, checking each event's `event:` line names its data's type. */
function parse(sse: string): Ev[] {
  return sse.split("\n\n").filter(Boolean).map((block) => {
    const [event, data] = block.split("\n");
    const ev = JSON.parse(data!.slice("data: ".length));
    expect(event).toBe(`event: ${ev.type}`);
    return ev;
  });
}
const chunk = (delta: Record<string, unknown>, finish: string | null = null, extra = {}) =>
  `data: ${JSON.stringify({ id: "chatcmpl-t1", object: "chat.completion.chunk", created: 7, model: "x", choices: [{ index: 0, delta, finish_reason: finish }], ...extra })}\n\n`;
const usageChunk = `data: ${JSON.stringify({ id: "chatcmpl-t1", choices: [], usage: { prompt_tokens: 9, completion_tokens: 4, total_tokens: 13 } })}\n\n`;

describe("chat chunks → Responses events", () => {
  test("two parallel tool calls: the whole event sequence, output indexes in emission order", async () => {
    const t = translator();
    const events = parse((await read("parallel-tools-stream.sse")).split(/(?<=\n\n)/).map((e) => t.push(e)).join("") + t.end());
    const args = (i: number) => events.filter((e) => e.type === "response.function_call_arguments.delta" && e.output_index === i).map((e) => e.delta);
    expect(events.map((e) => `${e.type}${e.output_index ?? ""}`)).toEqual([
      "response.created", "response.in_progress",
      "response.output_item.added0", ...args(0).map(() => "response.function_call_arguments.delta0"),
      "response.output_item.added1", ...args(1).map(() => "response.function_call_arguments.delta1"),
      "response.function_call_arguments.done0", "response.output_item.done0",
      "response.function_call_arguments.done1", "response.output_item.done1", "response.completed"]);
    expect(args(0).join("")).toBe("{\"location\": \"Paris, France\"}");
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
    expect(events[2]!.item).toEqual({ id: "fc_CHx3aWm7bT2oLq9ZsEe4uYhK0pVnR_0", type: "function_call", status: "in_progress", arguments: "",
      call_id: "call_3pQ9sWkLx2mVbN7cYtR0aZfE", name: "get_weather" });
    const done = events.at(-1)!.response;
    expect(done.output.map((o: any) => [o.id, o.status, o.arguments])).toEqual([
      ["fc_CHx3aWm7bT2oLq9ZsEe4uYhK0pVnR_0", "completed", "{\"location\": \"Paris, France\"}"],
      ["fc_CHx3aWm7bT2oLq9ZsEe4uYhK0pVnR_1", "completed", "{\"timezone\": \"Europe/Paris\"}"]]);
    expect(done.usage).toMatchObject({ input_tokens: 84, output_tokens: 49, total_tokens: 133 });
  });

  test("text: message item, content part, deltas, then the done events with the full text", () => {
    const t = translator();
    const events = parse(t.push(chunk({ role: "assistant", content: "" }) + chunk({ content: "Hel" }) + chunk({ content: "lo" }) +
      chunk({}, "stop") + usageChunk) + t.push("data: [DONE]\n\n") + t.end());
    expect(events.map((e) => e.type)).toEqual(["response.created", "response.in_progress", "response.output_item.added",
      "response.content_part.added", "response.output_text.delta", "response.output_text.delta", "response.output_text.done",
      "response.content_part.done", "response.output_item.done", "response.completed"]);
    expect(events[0]!.response).toMatchObject({ id: "resp_t1", status: "in_progress", output: [], created_at: 7, model: "gpt-4o" });
    expect(events[6]).toMatchObject({ item_id: "msg_t1", output_index: 0, content_index: 0, text: "Hello" });
    expect(events[8]!.item).toEqual({ id: "msg_t1", type: "message", status: "completed", role: "assistant",
      content: [{ type: "output_text", annotations: [], text: "Hello" }] });
    expect(events[9]!.response).toMatchObject({ status: "completed", usage: { input_tokens: 9, output_tokens: 4, total_tokens: 13 } });
  });

  test("completion waits for the usage chunk; [DONE] without one completes with usage null", () => {
    const t = translator();
    expect(t.push(chunk({ content: "Hi" }) + chunk({}, "stop"))).not.toContain("response.completed");
    expect(parse(t.push(usageChunk)).at(-1)!.response.usage).toMatchObject({ input_tokens: 9 });
    const u = translator();
    u.push(chunk({ content: "Hi" }) + chunk({}, "stop"));
    expect(parse(u.push("data: [DONE]\n\n")).at(-1)).toMatchObject({ type: "response.completed", response: { usage: null } });
    expect(u.end()).toBe("");
  });

  test("finish_reason length → response.incomplete with max_output_tokens", () => {
    const t = translator();
    const last = parse(t.push(chunk({ content: "Hi" }) + chunk({}, "length") + usageChunk)).at(-1)!;
    expect(last).toMatchObject({ type: "response.incomplete", response: { status: "incomplete", incomplete_details: { reason: "max_output_tokens" } } });
  });

  test("end() without a finish invents nothing", () => {
    const t = translator();
    const out = t.push(chunk({ content: "Hel" }));
    expect(out).toContain("response.output_text.delta");
    expect(t.end()).toBe("");
  });

  test("fail(): an error event continuing the sequence, then nothing more", () => {
    const t = translator();
    const before = parse(t.push(chunk({ content: "Hel" })));
    const err = parse(t.fail("upstream_stalled", "the upstream stopped sending"));
    expect(err).toEqual([{ type: "error", code: "upstream_stalled", message: "the upstream stopped sending", param: null, sequence_number: before.length }]);
    expect(t.push(chunk({ content: "lo" }, "stop") + usageChunk) + t.end() + t.fail("x", "y")).toBe("");
  });

  test("an upstream error chunk, a non-JSON event and an unterminated giant event fail in-band", () => {
    const a = translator();
    expect(parse(a.push(chunk({ content: "a" }) + 'data: {"error":{"message":"overloaded"}}\n\n')).at(-1)).toMatchObject({ type: "error", message: "overloaded" });
    const b = translator();
    expect(parse(b.push("data: {nope\n\n")).at(-1)).toMatchObject({ type: "error", code: "bad_upstream_stream" });
    const c = translator();
    expect(parse(c.push("data: " + "x".repeat((1 << 20) + 10))).at(-1)).toMatchObject({ type: "error", code: "bad_upstream_stream" });
  });

  for (const name of FIXTURES) {
    test(`${name}: event by event, in one go and byte by byte give the same output`, async () => {
      const text = await read(name);
      const one = translator();
      const whole = one.push(text) + one.end();
      const byEvent = translator();
      const events = text.split(/(?<=\n\n)/).map((e) => byEvent.push(e)).join("") + byEvent.end();
      const byByte = translator();
      const bytes = [...text].map((ch) => byByte.push(ch)).join("") + byByte.end();
      expect(events).toBe(whole);
      expect(bytes).toBe(whole);
      expect(parse(whole).at(-1)!.type).toBe("response.completed");
    });
  }
});
