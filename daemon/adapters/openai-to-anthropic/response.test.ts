import { describe, expect, test } from "bun:test";
import { openaiToAnthropic } from "./index";

type Json = Record<string, unknown>;
const FIXTURES = `${import.meta.dir}/../fixtures/anthropic-upstream`;
const fixture = async (name: string) => (await Bun.file(`${FIXTURES}/${name}`).json()) as Json;
const MODEL = { model: "claude-sonnet-4" };

describe("openai → anthropic response", () => {
  test("text + two parallel tool uses → content and tool_calls, finish tool_calls", async () => {
    const out = openaiToAnthropic.response(await fixture("message-tool-use.json"), MODEL);
    expect(out).toEqual({
      id: "msg_01Aq9w938a90dw8q",
      object: "chat.completion",
      created: 0,
      model: "claude-sonnet-4",
      choices: [{
        index: 0,
        message: {
          role: "assistant",
          content: "I'll check both cities.",
          refusal: null,
          tool_calls: [
            { id: "toolu_01A09q90qw90lq917835lq9", type: "function", function: { name: "get_weather", arguments: "{\"location\":\"San Francisco, CA\",\"unit\":\"celsius\"}" } },
            { id: "toolu_01B19r01rx01mr028946mr0", type: "function", function: { name: "get_weather", arguments: "{\"location\":\"New York, NY\",\"unit\":\"celsius\"}" } },
          ],
        },
        logprobs: null,
        finish_reason: "tool_calls",
      }],
      usage: { prompt_tokens: 412, completion_tokens: 121, total_tokens: 533, prompt_tokens_details: { cached_tokens: 0, cache_creation_tokens: 0 } },
    });
  });

  test("thinking → reasoning_content; cache read and write counted once in prompt_tokens", async () => {
    const out = openaiToAnthropic.response(await fixture("message-thinking-cache.json"), MODEL) as Json;
    const choice = (out.choices as Json[])[0] as Json;
    expect(choice.message).toEqual({
      role: "assistant",
      content: "The contract's term is 24 months.",
      refusal: null,
      reasoning_content: "The document states a 24-month term in section 3.",
    });
    expect(choice.finish_reason).toBe("stop");
    // 21 uncached + 1920 read + 188 written
    expect(out.usage).toEqual({ prompt_tokens: 2129, completion_tokens: 64, total_tokens: 2193, prompt_tokens_details: { cached_tokens: 1920, cache_creation_tokens: 188 } });
  });

  const stops: [string, string][] = [
    ["end_turn", "stop"], ["stop_sequence", "stop"], ["pause_turn", "stop"], ["max_tokens", "length"],
    ["tool_use", "tool_calls"], ["refusal", "content_filter"],
  ];
  for (const [stop, finish] of stops) {
    test(`stop_reason ${stop} → finish_reason ${finish}`, () => {
      const out = openaiToAnthropic.response({ id: "msg_x", content: [{ type: "text", text: "x" }], stop_reason: stop, usage: { input_tokens: 1, output_tokens: 1 } }, MODEL);
      expect(((out.choices as Json[])[0] as Json).finish_reason).toBe(finish);
    });
  }
});

describe("openai → anthropic errors", () => {
  test("529 overloaded (fixture) → 503, server_error, code overloaded, message kept", async () => {
    const out = openaiToAnthropic.error(529, await fixture("error-overloaded.json"));
    expect(out.status).toBe(503);
    expect(JSON.parse(out.body)).toEqual({ error: { message: "Overloaded", type: "server_error", param: null, code: "overloaded" } });
  });

  test("400 invalid_request_error (fixture) keeps status and upstream message", async () => {
    const body = await fixture("error-invalid.json");
    const out = openaiToAnthropic.error(400, body);
    expect(out.status).toBe(400);
    expect(JSON.parse(out.body).error).toEqual({ message: (body.error as Json).message, type: "invalid_request_error", param: null, code: "invalid_request" });
  });

  const table: [number, string, string, number][] = [
    [401, "authentication_error", "authentication_error", 401],
    [403, "permission_error", "permission_error", 403],
    [404, "not_found_error", "invalid_request_error", 404],
    [429, "rate_limit_error", "rate_limit_error", 429],
    [500, "api_error", "server_error", 500],
  ];
  for (const [status, aType, oType, outStatus] of table) {
    test(`${status} ${aType} → ${outStatus} ${oType}`, () => {
      const out = openaiToAnthropic.error(status, { type: "error", error: { type: aType, message: "m" } });
      expect(out.status).toBe(outStatus);
      expect(JSON.parse(out.body)).toEqual({ error: { message: "m", type: oType, param: null, code: aType.replace(/_error$/, "") } });
    });
  }

  test("a body that is not Anthropic's error shape: type from the status", () => {
    const out = openaiToAnthropic.error(502, null);
    expect(out.status).toBe(502);
    expect(JSON.parse(out.body).error).toMatchObject({ type: "server_error", code: "upstream_error", param: null });
  });
});
