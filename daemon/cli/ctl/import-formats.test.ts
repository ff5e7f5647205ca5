import { describe, expect, test } from "bun:test";
import { endpointFromBaseUrl, parseImportFile } from "./import-formats.ts";

const APIS_JSON = JSON.stringify({
  server: { port: 3001, apiKey: "sk-123" },
  apis: [
    { id: "api1", name: "OpenAI官方API", baseUrl: "https://api.openai.com", apiKey: "sk-real-1", rpm: 60, rpd: 1000, enabled: true, models: ["gpt-3.5-turbo", "gpt-4"], modelMapping: { "gpt-3.5": "gpt-3.5-turbo" } },
    { id: "api2", name: "备用API端点", baseUrl: "https://backup.example.com/v1/", apiKey: "sk-real-2", rpm: -1, rpd: 0, enabled: true, models: ["claude-2"] },
    { name: "第三方API", baseUrl: "https://third.example.com", apiKey: "sk-3", enabled: false },
  ],
});

describe("import", () => {
  test("api-together's apis.json: endpoint gets /v1, rpm/rpd/models/modelMapping become settings, the rest kept in extra, rpd 0 imports disabled", () => {
    const plan = parseImportFile("apis.json", APIS_JSON);
    expect(plan.format).toBe("api-together");
    expect(plan.upstreams[0]).toEqual({
      endpoint: "https://api.openai.com/v1",
      sk: "sk-real-1",
      name: "api1",
      enabled: true,
      rpm: 60,
      rpd: 1000,
      models: ["gpt-3.5-turbo", "gpt-4"],
      modelMapping: { "gpt-3.5": "gpt-3.5-turbo" },
      extra: { id: "api1", name: "OpenAI官方API" },
    });
    expect(plan.upstreams[1]).toMatchObject({ endpoint: "https://backup.example.com/v1", name: "api2", enabled: false, rpd: 0, models: ["claude-2"] });
    expect(plan.upstreams[1]!.rpm).toBeUndefined(); // -1: unlimited, the default
    expect(plan.upstreams[2]).toMatchObject({ name: "API", enabled: false, extra: { name: "第三方API" } });
    expect(plan.notes.join("\n")).toContain("server.apiKey");
    expect(plan.notes.join("\n")).toContain("apis[1]: rpm or rpd is 0");
  });

  test("openai-api-route's upstreams.yaml as is", () => {
    const plan = parseImportFile("u.yaml", 'authorization: woshimima\nupstreams:\n  - sk: "secret_key_1"\n    endpoint: "https://api.openai.com/v2"\n  - sk: "secret_key_2"\n    endpoint: "https://api.openai.com/v1"\n    timeout: 30\n');
    expect(plan.format).toBe("route");
    expect(plan.upstreams).toEqual([
      { endpoint: "https://api.openai.com/v2", sk: "secret_key_1", name: undefined, timeoutMs: undefined, streamTimeoutMs: undefined, enabled: undefined, extra: undefined },
      { endpoint: "https://api.openai.com/v1", sk: "secret_key_2", name: undefined, timeoutMs: 30_000, streamTimeoutMs: undefined, enabled: undefined, extra: undefined },
    ]);
    expect(plan.notes[0]).toContain("authorization");
  });

  test("problems name the file, the entry and the original field", () => {
    expect(() => parseImportFile("apis.json", JSON.stringify({ apis: [{ baseUrl: "ftp://x", apiKey: "" }] }))).toThrow(/apis\.json: apis\[0\]\.baseUrl: must be an http\(s\) URL[\s\S]*apis\[0\]\.apiKey/);
    expect(() => parseImportFile("u.yaml", "upstreams:\n  - endpoint: http://h/v1\n")).toThrow("u.yaml: upstreams[0].sk: is required");
    expect(() => parseImportFile("export.yaml", 'upstreams:\n  - sk: "****abcd"\n    endpoint: http://h/v1\n')).toThrow("masked keys");
  });

  test("baseUrl to endpoint", () => {
    expect(endpointFromBaseUrl("https://h.example/")).toBe("https://h.example/v1");
    expect(endpointFromBaseUrl("https://h.example/openai/v1")).toBe("https://h.example/openai/v1");
    expect(endpointFromBaseUrl("https://h.example/v2/")).toBe("https://h.example/v2");
  });
});
