import { describe, expect, test } from "bun:test";
import { RpcError } from "../shared/rpc/errors.ts";
import { makeUpstream } from "./test/fixtures.ts";
import { errorsFromDaemon, FIELDS, initialValues, validate } from "./upstream-form.ts";

const values = (v: Partial<ReturnType<typeof initialValues>>) => ({ ...initialValues(), ...v });

describe("upstream form", () => {
  test("add: required fields, URL, name and durations are checked before sending", () => {
    expect(validate(values({})).errors).toEqual({ endpoint: "required", sk: "required" });
    const bad = validate(values({ name: "-x", endpoint: "ftp://x", sk: "k", timeout: "soon", streamTimeout: "25h" })).errors;
    expect(Object.keys(bad).sort()).toEqual(["endpoint", "name", "streamTimeout", "timeout"]);
  });

  test("add: the params routed takes (durations in ms, trailing slash dropped, empty fields left out)", () => {
    expect(validate(values({ endpoint: " https://a.example.com/v1/ ", sk: " sk-1 ", timeout: "1.5m", streamTimeout: "500ms" })).submit).toEqual({
      kind: "add",
      params: { endpoint: "https://a.example.com/v1", sk: "sk-1", timeoutMs: 90_000, streamTimeoutMs: 500 },
    });
  });

  test("edit: only what changed; an empty key keeps it; an emptied name or timeout goes back to none / default", () => {
    const u = makeUpstream({ id: 7, name: "main", timeoutMs: 30_000 });
    const start = initialValues(u);
    expect(start).toMatchObject({ name: "main", timeout: "30s", sk: "" });
    expect(validate(start, u)).toEqual({ errors: { form: "nothing changed" } });
    expect(validate({ ...start, name: "", timeout: "" }, u).submit).toEqual({ kind: "update", params: { upstream: 7, patch: { name: null, timeoutMs: null } } });
    expect(validate({ ...start, sk: "sk-new" }, u).submit).toEqual({ kind: "update", params: { upstream: 7, patch: { sk: "sk-new" } } });
  });

  test("type: chosen in the form (empty: openai); an unknown one is refused before sending", () => {
    expect(validate(values({ endpoint: "https://api.anthropic.com/v1", sk: "sk-ant", type: " Anthropic " })).submit).toEqual({
      kind: "add",
      params: { endpoint: "https://api.anthropic.com/v1", sk: "sk-ant", type: "anthropic" },
    });
    expect(validate(values({ endpoint: "https://a.example.com/v1", sk: "k", type: "" })).submit?.params).not.toHaveProperty("type");
    expect(validate(values({ endpoint: "https://a.example.com/v1", sk: "k", type: "bedrock" })).errors).toEqual({ type: "one of openai, azure, anthropic, gemini" });
    const u = makeUpstream({ id: 3, type: "gemini", endpoint: "https://generativelanguage.googleapis.com/v1beta/openai" });
    expect(initialValues(u).type).toBe("gemini");
    expect(validate({ ...initialValues(u), type: "anthropic" }, u).submit).toEqual({ kind: "update", params: { upstream: 3, patch: { type: "anthropic" } } });
    expect(validate({ ...initialValues(u), type: "" }, u).submit).toEqual({ kind: "update", params: { upstream: 3, patch: { type: "openai" } } });
    expect(errorsFromDaemon(new RpcError("invalid_params", "x", { problems: ["patch.type: bad"] }))).toEqual({ type: "bad" });
  });

  test("responses: yes / no / empty (unset), added last so the other fields keep their places", () => {
    expect(FIELDS.map((f) => f.id).at(-1)).toBe("responses");
    expect(validate(values({ endpoint: "https://vllm.example/v1", sk: "k", responses: " No " })).submit).toEqual({
      kind: "add",
      params: { endpoint: "https://vllm.example/v1", sk: "k", responses: false },
    });
    expect(validate(values({ endpoint: "https://a.example.com/v1", sk: "k" })).submit?.params).not.toHaveProperty("responses");
    expect(validate(values({ endpoint: "https://a.example.com/v1", sk: "k", responses: "maybe" })).errors).toEqual({ responses: "yes, no or empty (the type's default)" });
    const u = makeUpstream({ id: 4, responses: false });
    expect(initialValues(u).responses).toBe("no");
    expect(validate(initialValues(u), u)).toEqual({ errors: { form: "nothing changed" } });
    expect(validate({ ...initialValues(u), responses: "yes" }, u).submit).toEqual({ kind: "update", params: { upstream: 4, patch: { responses: true } } });
    expect(validate({ ...initialValues(u), responses: "" }, u).submit).toEqual({ kind: "update", params: { upstream: 4, patch: { responses: null } } });
    expect(errorsFromDaemon(new RpcError("invalid_params", "x", { problems: ["patch.responses: bad"] }))).toEqual({ responses: "bad" });
  });

  test("routed's refusals land under their field", () => {
    expect(errorsFromDaemon(new RpcError("duplicate_name", 'an upstream named "a" exists'))).toEqual({ name: 'an upstream named "a" exists' });
    expect(errorsFromDaemon(new RpcError("invalid_params", "x", { problems: ["patch.endpoint: bad", "timeoutMs: too big", "weird: ?"] }))).toEqual({ endpoint: "bad", timeout: "too big", form: "weird: ?" });
    expect(errorsFromDaemon(new RpcError("file_changed", "upstreams.yaml changed; reload first"))).toEqual({ form: "upstreams.yaml changed; reload first (file_changed)" });
    expect(errorsFromDaemon(new Error("boom"))).toEqual({ form: "boom" });
  });
});
