import { describe, expect, test } from "bun:test";
import { ROUTING_DEFAULTS, type UpstreamRecord, type UpstreamType } from "../store/types.ts";
import { compileTarget } from "./target.ts";

const upstream = (type: UpstreamType, endpoint: string, more: Partial<UpstreamRecord> = {}) => ({
  ...ROUTING_DEFAULTS,
  id: 1, name: "u", endpoint, sk: "sk-secret-1234", timeoutMs: null, streamTimeoutMs: null, enabled: true, position: 0,
  source: "file" as const, extra: null, createdAt: 0, updatedAt: 0, type, ...more,
});

describe("compileTarget", () => {
  test("openai: {endpoint} + the path after /v1, Bearer key, OpenAI wire, no default headers", () => {
    const t = compileTarget(upstream("openai", "https://api.openai.com/v1"));
    expect(t.url("/v1/chat/completions", "?a=1", "gpt-4o")).toBe("https://api.openai.com/v1/chat/completions?a=1");
    expect(t.auth).toEqual(["authorization", "Bearer sk-secret-1234"]);
    expect(t.defaultHeaders).toEqual([]);
    expect(t.wire).toBe("openai");
  });

  test("azure: deployment URL, api-key header, OpenAI wire", () => {
    const t = compileTarget(upstream("azure", "https://res.openai.azure.com"));
    expect(t.url("/v1/chat/completions", "", "dep")).toBe("https://res.openai.azure.com/openai/deployments/dep/chat/completions?api-version=2024-10-21");
    expect([t.auth[0], t.wire]).toEqual(["api-key", "openai"]);
  });

  test("anthropic: Messages URL under the endpoint, x-api-key, anthropic-version by default, Anthropic wire", () => {
    const t = compileTarget(upstream("anthropic", "https://api.anthropic.com/v1", { headers: { "anthropic-beta": "prompt-caching-2024-07-31" } }));
    expect(t.url("/v1/messages", "", "claude-sonnet-4-5")).toBe("https://api.anthropic.com/v1/messages");
    expect(t.url("/v1/messages/count_tokens", "?beta=true", null)).toBe("https://api.anthropic.com/v1/messages/count_tokens?beta=true");
    expect(t.url("/v1/models", "", null)).toBe("https://api.anthropic.com/v1/models");
    expect(t.auth).toEqual(["x-api-key", "sk-secret-1234"]);
    expect(t.defaultHeaders).toEqual([["anthropic-version", "2023-06-01"]]);
    expect(t.headers).toEqual([["anthropic-beta", "prompt-caching-2024-07-31"]]);
    expect(t.wire).toBe("anthropic");
  });

  test("anthropic: a configured anthropic-version replaces the default", () => {
    const t = compileTarget(upstream("anthropic", "https://api.anthropic.com/v1", { headers: { "Anthropic-Version": "2024-01-01" } }));
    expect(t.defaultHeaders).toEqual([]);
    expect(t.headers).toEqual([["Anthropic-Version", "2024-01-01"]]);
  });

  test("gemini: Google's OpenAI-compatible endpoint, x-goog-api-key header, the key never in the URL", () => {
    const t = compileTarget(upstream("gemini", "https://generativelanguage.googleapis.com/v1beta/openai"));
    const url = t.url("/v1/chat/completions", "", "gemini-2.5-flash");
    expect(url).toBe("https://generativelanguage.googleapis.com/v1beta/openai/chat/completions");
    expect(t.url("/v1/models", "", null)).toBe("https://generativelanguage.googleapis.com/v1beta/openai/models");
    expect(url).not.toContain("sk-secret");
    expect(t.auth).toEqual(["x-goog-api-key", "sk-secret-1234"]);
    expect(t.defaultHeaders).toEqual([]);
    expect(t.wire).toBe("openai");
  });
});
