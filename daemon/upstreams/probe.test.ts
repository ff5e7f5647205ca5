// `routectl test` / active health checks: GET {endpoint}/models with the type's own credentials,
// against the fake Anthropic API and the OpenAI-shaped fake standing in for Gemini's compat endpoint.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startFakeAnthropic, type FakeAnthropic } from "../e2e/fake-anthropic.ts";
import { startFakeUpstream, type FakeUpstream } from "../e2e/fake-upstream.ts";
import { ROUTING_DEFAULTS, type UpstreamRecord, type UpstreamType } from "../store/types.ts";
import { probeUpstream } from "./probe.ts";

const KEY = "sk-ant-probe-key-7777";
let anthropic: FakeAnthropic;
let openai: FakeUpstream;

const upstream = (type: UpstreamType, endpoint: string, sk = KEY, more: Partial<UpstreamRecord> = {}) => ({
  ...ROUTING_DEFAULTS,
  id: 1, name: "u", endpoint, sk, timeoutMs: null, streamTimeoutMs: null, enabled: true, position: 0,
  source: "runtime" as const, extra: null, createdAt: 0, updatedAt: 0, type, ...more,
});

beforeAll(async () => {
  anthropic = await startFakeAnthropic("A", { key: KEY });
  openai = await startFakeUpstream("G");
});
afterAll(() => {
  anthropic.stop();
  openai.stop();
});

describe("probe by upstream type", () => {
  test("anthropic: x-api-key and anthropic-version, the largest page, models counted from Anthropic's listing", async () => {
    anthropic.reset();
    const r = await probeUpstream(upstream("anthropic", anthropic.url, KEY, { headers: { "anthropic-beta": "b1" } }), 5_000);
    expect(r).toMatchObject({ ok: true, status: 200, models: 2, error: null, url: `${anthropic.url}/models?limit=1000` });
    const h = anthropic.received[0]!.headers;
    expect([h["x-api-key"], h["anthropic-version"], h["anthropic-beta"], h.authorization]).toEqual([KEY, "2023-06-01", "b1", undefined]);
  });

  test("anthropic: a refused key is reported with the upstream's error, the key redacted", async () => {
    const r = await probeUpstream(upstream("anthropic", anthropic.url, "sk-ant-wrong-key-0000"), 5_000);
    expect(r).toMatchObject({ ok: false, status: 401, models: null });
    expect(r.error).toContain("authentication_error");
    expect(r.error).not.toContain("sk-ant-wrong-key-0000");
  });

  test("gemini: the key in x-goog-api-key only (not in the URL, no Bearer), models counted from the OpenAI-shaped listing", async () => {
    openai.reset();
    const r = await probeUpstream(upstream("gemini", openai.url, "gm-key-4242"), 5_000);
    expect(r).toMatchObject({ ok: true, status: 200, models: 1, url: `${openai.url}/models` });
    const got = openai.received[0]!;
    expect([got.path, got.search, got.headers["x-goog-api-key"], got.headers.authorization]).toEqual(["/v1/models", "", "gm-key-4242", undefined]);
  });
});
