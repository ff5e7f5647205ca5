import { describe, expect, test } from "bun:test";
import { sessionIdentity } from "./session.ts";

const h = (o: Record<string, string> = {}) => new Headers(o);

describe("session identity", () => {
  test("first found wins: Claude Code header, prompt_cache_key, X-Session-Id, user, safety_identifier", () => {
    const body = { prompt_cache_key: "pk", user: "alice", safety_identifier: "sid" };
    expect(sessionIdentity(h({ "x-claude-code-session-id": "cc", "x-session-id": "xs" }), body, false)).toBe("c:cc");
    expect(sessionIdentity(h({ "x-session-id": "xs" }), body, false)).toBe("k:pk");
    expect(sessionIdentity(h({ "x-session-id": "xs" }), { user: "alice" }, false)).toBe("h:xs");
    expect(sessionIdentity(h(), { user: "alice", safety_identifier: "sid" }, false)).toBe("u:alice");
    expect(sessionIdentity(h(), { safety_identifier: "sid" }, false)).toBe("u:sid");
    // Not strings, or empty: not an identity.
    expect(sessionIdentity(h({ "x-session-id": "" }), { prompt_cache_key: 5, user: "" }, false)).toBeNull();
    expect(sessionIdentity(h(), null, true)).toBeNull();
  });

  test("the same text from two sources is two sessions", () => {
    expect(sessionIdentity(h({ "x-session-id": "a" }), null, false)).not.toBe(sessionIdentity(h(), { user: "a" }, false));
  });

  test("prompt hash only when configured: system prompt and first user message, in each format", () => {
    const chat = { messages: [{ role: "system", content: "be brief" }, { role: "user", content: "hi" }, { role: "assistant", content: "yo" }] };
    expect(sessionIdentity(h(), chat, false)).toBeNull();
    const id = sessionIdentity(h(), chat, true)!;
    expect(id).toMatch(/^p:\d+$/);
    // Later turns of the same conversation: same identity.
    expect(sessionIdentity(h(), { messages: [...chat.messages, { role: "user", content: "more" }] }, true)).toBe(id);
    // Another system prompt or first message: another.
    expect(sessionIdentity(h(), { messages: [{ role: "developer", content: "be long" }, { role: "user", content: "hi" }] }, true)).not.toBe(id);
    expect(sessionIdentity(h(), { messages: [{ role: "system", content: "be brief" }, { role: "user", content: "hello" }] }, true)).not.toBe(id);
    // Responses: instructions + input; Anthropic: system + messages.
    const responses = sessionIdentity(h(), { instructions: "x", input: "hi" }, true);
    expect(responses).toBe(sessionIdentity(h(), { instructions: "x", input: [{ role: "user", content: "hi" }, { type: "function_call_output" }] }, true));
    expect(sessionIdentity(h(), { system: "x", messages: [{ role: "user", content: "hi" }] }, true)).toBe(responses);
    expect(sessionIdentity(h(), { instructions: "y", input: "hi" }, true)).not.toBe(responses);
    // No user message (embeddings, …): none.
    expect(sessionIdentity(h(), { input: ["a", "b"] }, true)).toBeNull();
  });
});
