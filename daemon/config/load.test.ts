import { describe, expect, test } from "bun:test";
import { parseDurationMs } from "../../shared/duration.ts";
import { parseAddr, parseSize } from "./flags.ts";
import { ConfigError, parseConfigText } from "./load.ts";

function problems(text: string): string[] {
  try {
    parseConfigText("u.yaml", text);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  return [];
}

describe("config file", () => {
  test("openai-api-route's upstreams.yaml is accepted as is", () => {
    const c = parseConfigText(
      "u.yaml",
      'authorization: woshimima\nupstreams:\n  - sk: "secret_key_1"\n    endpoint: "https://api.openai.com/v2"\n  - sk: "secret_key_2"\n    endpoint: "https://api.openai.com/v1/"\n    timeout: 30\n',
    );
    expect(c.authorization).toEqual(["woshimima"]);
    expect(c.upstreams).toEqual([
      { sk: "secret_key_1", endpoint: "https://api.openai.com/v2" },
      { sk: "secret_key_2", endpoint: "https://api.openai.com/v1", timeout: 30_000 },
    ]);
  });

  test("comma-separated keys, names, durations with units", () => {
    const c = parseConfigText("u.yaml", 'authorization: "a, b ,c"\nstream_timeout: 2s\nupstreams:\n  - {name: x, sk: k, endpoint: "http://h/v1", stream_timeout: 500ms, enabled: false}\n');
    expect(c.authorization).toEqual(["a", "b", "c"]);
    expect(c.stream_timeout).toBe(2000);
    expect(c.upstreams![0]).toMatchObject({ name: "x", stream_timeout: 500, enabled: false });
  });

  test("every problem is one line naming file, field and fix", () => {
    expect(problems("upstreams:\n  - {name: a, sk: k, endpoint: 'http://h'}\n  - {name: a, sk: k, endpoint: 'http://h', timeout: -1}\n")).toEqual([
      'u.yaml: upstreams[1].timeout: must be a positive duration: seconds (30) or with a unit ("500ms", "5s", "2m"), got -1',
      'u.yaml: upstreams[1].name: "a" is used twice: give each upstream its own name',
    ]);
    expect(problems("upstreams: {sk: k}\n")).toEqual(["u.yaml: upstreams: must be a list of upstreams, each with sk and endpoint"]);
    expect(problems("authorisation: x\n")).toEqual(["u.yaml: authorisation: unknown field; remove it or check its spelling"]);
    expect(problems("upstreams:\n  - sk: [unclosed\n")[0]).toMatch(/^u\.yaml: line \d+, column \d+: .*; fix the YAML syntax there$/);
  });
});

const upstream = (extra: string) => `upstreams:\n  - name: a\n    sk: sk-a\n    endpoint: http://h/v1\n${extra}`;

describe("bad entries are refused with a clear message", () => {
  test("type: openai, azure, anthropic or gemini", () => {
    const types = ["openai", "azure", "anthropic", "gemini"].map((t) => parseConfigText("u.yaml", upstream(`    type: ${t}\n`)).upstreams![0]!.type);
    expect(types).toEqual(["openai", "azure", "anthropic", "gemini"]);
    expect(problems(upstream("    type: bedrock\n"))).toEqual(["u.yaml: upstreams[0].type: must be openai, azure, anthropic or gemini"]);
  });

  test("prices", () => {
    expect(problems('prices:\n  "gpt-4o*": { input: -1, output: 10 }\n')).toEqual(["u.yaml: prices.gpt-4o*.input: must be 0 or more (USD per million tokens)"]);
    expect(problems('prices:\n  "gpt-4o*": { input: 1 }\n')).toEqual(["u.yaml: prices.gpt-4o*.output: must be a price in USD per million tokens"]);
    expect(problems('prices:\n  "gpt-4o*": { input: 1, output: 2, cached: 1 }\n')).toEqual(["u.yaml: prices.gpt-4o*.cached: unknown field; remove it or check its spelling"]);
    expect(problems('prices:\n  "gpt-4o*": 2.5\n')).toEqual([
      'u.yaml: prices.gpt-4o*: must be a price such as { input: 2.5, output: 10, cache_read: 1.25, cache_write: 3.75 } (USD per million tokens)',
    ]);
    expect(problems(upstream("    prices: { llama: { input: 1, output: x } }\n"))).toEqual(["u.yaml: upstreams[0].prices.llama.output: must be a price in USD per million tokens"]);
  });

  test("group", () => {
    expect(problems(upstream("    group: vip\n"))).toEqual(["u.yaml: upstreams[0].group: must be a list of group names, such as [default, vip]"]);
    expect(problems(upstream("    group: []\n"))).toEqual(["u.yaml: upstreams[0].group: must name at least one group (leave it out for [default])"]);
    expect(problems(upstream('    group: ["a b"]\n'))).toEqual(["u.yaml: upstreams[0].group[0]: must be a group name: 1-64 letters, digits, '.', '_' or '-'"]);
  });

  test("group_ratio and unknown_price", () => {
    expect(problems("group_ratio: { vip: 0 }\n")).toEqual(["u.yaml: group_ratio.vip: must be a multiplier above 0, such as 1.5"]);
    expect(problems("group_ratio: { vip: fast }\n")).toEqual(["u.yaml: group_ratio.vip: must be a number"]);
    expect(problems("group_ratio: 1.5\n")).toEqual(["u.yaml: group_ratio: must map group names to multipliers, such as { vip: 1.5 }"]);
    expect(problems("unknown_price: maybe\n")).toEqual(["u.yaml: unknown_price: must be allow or refuse"]);
  });
});

describe("flag values", () => {
  test("addresses", () => {
    expect(parseAddr(":8888")).toEqual({ hostname: "0.0.0.0", port: 8888 });
    expect(parseAddr("127.0.0.1:0")).toEqual({ hostname: "127.0.0.1", port: 0 });
    expect(parseAddr("[::1]:80")).toEqual({ hostname: "::1", port: 80 });
    expect(parseAddr("8888")).toBeNull();
    expect(parseAddr(":99999")).toBeNull();
  });
  test("sizes and durations", () => {
    expect(parseSize("32MiB")).toBe(32 << 20);
    expect(parseSize("1000")).toBe(1000);
    expect(parseSize("1.5kb")).toBe(1500);
    expect(parseSize("lots")).toBeNull();
    expect(parseDurationMs("250ms")).toBe(250);
    expect(parseDurationMs(1.5)).toBe(1500);
    expect(parseDurationMs("2m")).toBe(120_000);
    expect(parseDurationMs("soon")).toBeNull();
  });
});
