import { describe, expect, test } from "bun:test";
import { createMetrics } from "./registry.ts";

describe("metrics", () => {
  test("each label combination counts on its own child; totals appear at scrape time", async () => {
    const m = createMetrics();
    m.setModels([{ models: ["gpt-4o"], modelMapping: null }]);
    m.request("a", "gpt-4o", 200, false, 0.2);
    m.request("a", "gpt-4o", 200, true, 0.3);
    m.request("a", "gpt-4o", 502, false, 1.5);
    m.request("b", "gpt-4o", 200, false, 0.1);
    m.request("a", null, 499, false, 0.01);
    m.attempt("a", "ok");
    m.attempt("a", "timeout");
    m.attempt("a", "ok");
    m.ttft("a", 0.04);
    m.tokens("a", "gpt-4o", 9, 3);
    m.tokens("a", "gpt-4o", 1, 0);
    m.rejected("invalid_api_key");
    const text = await m.registry.metrics();
    expect(text).toContain('route_requests_total{upstream="a",model="gpt-4o",status_class="2xx"} 2');
    expect(text).toContain('route_requests_total{upstream="a",model="gpt-4o",status_class="5xx"} 1');
    expect(text).toContain('route_requests_total{upstream="b",model="gpt-4o",status_class="2xx"} 1');
    expect(text).toContain('route_requests_total{upstream="a",model="none",status_class="499"} 1');
    expect(text).toContain('route_upstream_attempts_total{upstream="a",outcome="ok"} 2');
    expect(text).toContain('route_upstream_attempts_total{upstream="a",outcome="timeout"} 1');
    expect(text).toContain('route_request_duration_seconds_count{upstream="a",stream="false"} 3');
    expect(text).toContain('route_request_duration_seconds_count{upstream="a",stream="true"} 1');
    expect(text).toContain('route_tokens_total{upstream="a",model="gpt-4o",kind="prompt"} 10');
    expect(text).toContain('route_tokens_total{upstream="a",model="gpt-4o",kind="completion"} 3');
    expect(text).toContain('route_rejected_requests_total{code="invalid_api_key"} 1');
  });

  test("model label values are only the models the config names; anything else is other", async () => {
    const m = createMetrics();
    m.setModels([
      { models: ["gpt-4o", "claude-*"], modelMapping: null },
      { models: null, modelMapping: { "gpt-4": "gpt-4-0613" } },
    ]);
    for (const model of ["gpt-4o", "gpt-4", "gpt-4-0613", "claude-3", "claude-*", "x".repeat(10_000)]) m.request("a", model, 200, false, 0.1);
    m.tokens("a", "invented", 5, 1);
    const text = await m.registry.metrics();
    const models = [...text.matchAll(/route_requests_total\{upstream="a",model="([^"]*)"/g)].map((x) => x[1]).sort();
    expect(models).toEqual(["gpt-4", "gpt-4-0613", "gpt-4o", "other"]);
    expect(text).toContain('route_requests_total{upstream="a",model="other",status_class="2xx"} 3');
    expect(text).toContain('route_tokens_total{upstream="a",model="other",kind="prompt"} 5');
    m.setModels([]); // reload removed them: new requests count as other
    m.request("a", "gpt-4o", 200, false, 0.1);
    expect(await m.registry.metrics()).toContain('route_requests_total{upstream="a",model="other",status_class="2xx"} 4');
  });
});
