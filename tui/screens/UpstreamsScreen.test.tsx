// The Upstreams screen against a fake routed: every binding of the screen, its form and its
// confirmation does what help says; forms validate; routed's refusals show inline.
import { afterEach, describe, expect, test } from "bun:test";
import { RpcError } from "../../shared/rpc/errors.ts";
import { binding } from "../test/binding.ts";
import { createFakeClient } from "../test/fake-client.ts";
import { makeStats, makeUpstream } from "../test/fixtures.ts";
import { renderApp, type Harness } from "../test/harness.tsx";

let h: Harness;
afterEach(() => h?.unmount());

const three = () => createFakeClient({ upstreams: [1, 2, 3].map((id) => makeUpstream({ id, name: ["alpha", "beta", "gamma"][id - 1]! })) });
const selected = () => h.text().split("\n").find((l) => l.startsWith("›")) ?? "";
const order = () => h.fake.upstreams.map((u) => u.name).join(",");
async function start() {
  h = await renderApp({ fake: three() });
  await h.waitFor("gamma");
}

describe("list keys", () => {
  test(`${binding("upstreams", "down")}, ${binding("upstreams", "up")}`, async () => {
    await start();
    expect(selected()).toContain("alpha");
    await h.press("down");
    await h.waitFor(() => selected().includes("beta"));
    await h.press("j");
    await h.waitFor(() => selected().includes("gamma"));
    await h.press("up");
    await h.waitFor(() => selected().includes("beta"));
    await h.press("k");
    await h.waitFor(() => selected().includes("alpha"));
  });

  test(binding("upstreams", "toggle"), async () => {
    await start();
    await h.press("space");
    await h.waitFor("disabled alpha: disabled");
    expect(selected()).toMatch(/alpha\s.*\soff\s+disabled/);
    expect(h.fake.upstreams[0]!.enabled).toBe(false);
    await h.press("space");
    await h.waitFor("enabled alpha: healthy");
    expect(selected()).toMatch(/alpha\s.*\son\s+healthy/);
  });

  test(`${binding("upstreams", "moveDown")}, ${binding("upstreams", "moveUp")}`, async () => {
    await start();
    await h.press("J");
    await h.waitFor("moved alpha to position 2");
    expect(order()).toBe("beta,alpha,gamma");
    expect(selected()).toMatch(/^›\s+2 alpha/); // the selection follows the upstream
    await h.press("shift+down");
    await h.waitFor("moved alpha to position 3");
    expect(order()).toBe("beta,gamma,alpha");
    await h.press("K");
    await h.waitFor("moved alpha to position 2");
    await h.press("shift+up");
    await h.waitFor("moved alpha to position 1");
    expect(order()).toBe("alpha,beta,gamma");
    await h.press("K"); // already first: nothing to do
    expect(h.fake.calls.filter((c) => c.method === "upstreams.move").length).toBe(4);
  });

  test(`${binding("upstreams", "delete")}, ${binding("confirm", "no")}, ${binding("confirm", "yes")}`, async () => {
    await start();
    await h.press("d");
    await h.waitFor("Delete upstream alpha (position 1");
    await h.press("n");
    await h.waitFor(() => !h.text().includes("Delete upstream"));
    await h.press("d");
    await h.waitFor("Delete upstream alpha");
    await h.press("escape");
    await h.waitFor(() => !h.text().includes("Delete upstream"));
    expect(order()).toBe("alpha,beta,gamma");
    await h.press("d");
    await h.waitFor("Delete upstream alpha");
    await h.press("y");
    await h.waitFor("deleted alpha");
    expect(order()).toBe("beta,gamma");
    expect(selected()).toContain("beta");
  });

  test(binding("upstreams", "test"), async () => {
    await start();
    await h.press("t");
    await h.waitFor("alpha: ok 200 in 42ms, 3 models");
    h.fake.setTestResult({ ok: false, url: "https://api1.example.com/v1/models", status: 401, latencyMs: 12, models: null, error: "invalid api key" });
    await h.press("t");
    await h.waitFor("alpha: FAILED 401 in 12ms - invalid api key");
  });

  test(`${binding("upstreams", "details")}, ${binding("view", "close")}`, async () => {
    await start();
    h.fake.emitStats(makeStats(h.fake.upstreams, { rps: 2.5, errorRate: 0.25, errors: { timeout: 0.25 }, cachedRatio: 0.875 }));
    await h.waitFor(/CACHE/);
    await h.waitFor(/alpha .*25%\s+120ms\s+480ms\s+-\s+88%\s+0/); // error rate, p50, p95, ttft, cache hit rate, in flight
    await h.press("enter");
    await h.waitFor("Upstream alpha");
    expect(h.text()).toContain("https://api1.example.com/v1");
    expect(h.text()).toContain("****abcd");
    await h.press("end");
    await h.waitFor(/by outcome\s+timeout 25%/);
    expect(h.text()).toMatch(/cache hit rate\s+88% of prompt tokens/);
    await h.press("escape");
    await h.waitFor("gamma");
  });

  test("a refusal from routed shows on the notice line, not as a crash", async () => {
    await start();
    h.fake.failNext("upstreams.disable", new RpcError("file_managed", "alpha lives in upstreams.yaml, which routed cannot write"));
    await h.press("space");
    await h.waitFor("disable alpha: alpha lives in upstreams.yaml, which routed cannot write");
  });
});

describe("the add / edit form", () => {
  test(`${binding("upstreams", "add")}, ${binding("form", "next")}, ${binding("form", "submit")}: validates, then adds`, async () => {
    await start();
    await h.press("a");
    await h.waitFor("Add upstream");
    await h.press("enter");
    await h.waitFor(/Endpoint\s*\n\s+required/);
    expect(h.text()).toMatch(/API key\s*\n\s+required/);
    expect(h.fake.calls.some((c) => c.method === "upstreams.add")).toBe(false);
    expect(h.text()).toMatch(/› Endpoint/); // the first field in error has the focus
    await h.press("escape");
    await h.press("a");
    await h.waitFor("Add upstream");
    await h.type("delta");
    await h.press("tab");
    await h.type("not a url");
    await h.press("down");
    await h.type("sk-secret-9876");
    await h.press("tab");
    await h.type("soon");
    await h.press("enter");
    await h.waitFor("must be an http(s) URL");
    expect(h.text()).toMatch(/› Endpoint/); // the first field in error has the focus
    expect(h.text()).toContain("a duration such as 30s");
    expect(h.text()).not.toContain("sk-secret-9876"); // the key is masked as it is typed
    expect(h.text()).toContain("••••••••••••••");
  });

  test(`${binding("form", "prev")}, ${binding("form", "clear")}: fix the fields and save`, async () => {
    await start();
    await h.press("a");
    await h.type("delta");
    await h.press("tab");
    await h.type("http://x");
    await h.press("tab");
    await h.type("sk-secret-9876");
    await h.press("shift+tab");
    await h.press("ctrl+u");
    await h.type("https://delta.example.com/v1/");
    await h.press("tab");
    await h.press("tab");
    await h.type("30s");
    await h.press("up");
    await h.press("up");
    await h.press("up");
    await h.press("ctrl+u");
    await h.type("delta");
    await h.press("enter");
    await h.waitFor("added delta (id 4) at position 4");
    const add = h.fake.calls.find((c) => c.method === "upstreams.add")!;
    expect(add.params).toEqual({ name: "delta", endpoint: "https://delta.example.com/v1", sk: "sk-secret-9876", timeoutMs: 30_000 });
    expect(selected()).toContain("delta");
  });

  test(`${binding("form", "cancel")}`, async () => {
    await start();
    await h.press("a");
    await h.waitFor("Add upstream");
    await h.type("x");
    await h.press("escape");
    await h.waitFor("gamma");
    expect(h.text()).not.toContain("Add upstream");
  });

  test("routed's refusals show under the field they are about; the form stays open", async () => {
    await start();
    await h.press("a");
    await h.type("alpha");
    await h.press("tab");
    await h.type("https://dup.example.com/v1");
    await h.press("tab");
    await h.type("sk-dup-0000");
    await h.press("enter");
    await h.waitFor('an upstream named "alpha" exists; choose another name');
    expect(h.text()).toMatch(/Name\s+alpha\s*\n\s+an upstream named/);
    h.fake.failNext("upstreams.add", new RpcError("invalid_params", "invalid params for upstreams.add: endpoint: routed says no", { problems: ["endpoint: routed says no"] }));
    await h.press("ctrl+u");
    await h.type("alpha2");
    await h.press("enter");
    await h.waitFor(/Endpoint.*\n\s+routed says no/);
    expect(h.text()).toContain("Add upstream");
  });

  test(`${binding("upstreams", "edit")}: prefilled, sends only what changed`, async () => {
    await start();
    await h.press("down");
    await h.press("e");
    await h.waitFor("Edit upstream beta (id 2, position 2)");
    expect(h.text()).toContain("https://api2.example.com/v1");
    expect(h.text()).toContain("unchanged (****abcd)");
    await h.press("enter");
    await h.waitFor("nothing changed");
    await h.press("tab");
    await h.press("tab");
    await h.press("tab");
    await h.type("2m");
    await h.press("enter");
    await h.waitFor("saved beta");
    expect(h.fake.calls.find((c) => c.method === "upstreams.update")!.params).toEqual({ upstream: 2, patch: { timeoutMs: 120_000 } });
  });
});
