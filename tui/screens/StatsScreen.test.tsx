// The Stats screen: totals, per-upstream sparklines built from stats ticks, errors by class,
// and its keys.
import { afterEach, describe, expect, test } from "bun:test";
import { binding } from "../test/binding.ts";
import { createFakeClient } from "../test/fake-client.ts";
import { makeHistory, makeStats, makeUpstream } from "../test/fixtures.ts";
import { fits, renderApp, type Harness } from "../test/harness.tsx";

let h: Harness;
afterEach(() => h?.unmount());

async function start(n: number) {
  const fake = createFakeClient({ upstreams: Array.from({ length: n }, (_, i) => makeUpstream({ id: i + 1 })) });
  h = await renderApp({ fake });
  await h.press("3");
  await h.waitFor("sparklines"); // the snapshot read on connecting is in
  const t0 = Date.now() + 1000;
  for (let i = 0; i < 60; i++) fake.emitStats(makeStats(fake.upstreams, { ts: t0 + i * 1000, rps: i < 30 ? 1 : 8, errorRate: i < 50 ? 0 : 0.25, errors: { timeout: 0.2, http_5xx: 0.05 }, sessions: 1234 }));
  await h.waitFor("8.0 req/s");
}

describe("stats", () => {
  test("totals, sparklines of requests/s, latency and error rate, errors by class", async () => {
    await start(1);
    const t = h.text();
    expect(t).toMatch(/last 60s: 8\.0 req\/s/);
    expect(t).toMatch(/in flight\s+1[,.]?234 sessions/);
    expect(t).toMatch(/1 up1\s+healthy\s+8\.0 req\/s\s+err 25%\s+p50 120ms\s+p95 480ms/);
    const line = (label: string) => t.split("\n").find((l) => l.trimStart().startsWith(label))!;
    expect(line("req/s")).toMatch(/^ +req\/s +▂+▅?█+ max 8\.0$/); // low, then high
    expect(line("p50 latency")).toContain("max 120ms");
    expect(line("error rate")).toMatch(/▁+.*█+ max 25%$/);
    expect(t).toContain("errors by class: timeout 20%, http_5xx 5.0%");
  });

  test(binding("stats", "span"), async () => {
    await start(1);
    expect(h.text()).toContain("the last 1 min");
    await h.press("w");
    await h.waitFor("the last 5 min");
    await h.press("w");
    await h.waitFor("the last 15 min");
    await h.press("w");
    await h.waitFor("the last 1 min");
  });

  test(`${binding("stats", "down")}, ${binding("stats", "up")}`, async () => {
    await start(6);
    await h.waitFor("(1-3 of 6)");
    await h.press("down");
    await h.waitFor("(2-4 of 6)");
    await h.press("j");
    await h.waitFor("(3-5 of 6)");
    await h.press("up");
    await h.waitFor("(2-4 of 6)");
    await h.press("k");
    await h.waitFor("(1-3 of 6)");
  });

  test("history: the last 24 h by hour and 30 d by day from stats.history, read when the screen opens and again after routed restarts", async () => {
    const fake = createFakeClient({ upstreams: [makeUpstream({ id: 1 })] });
    const hours = Array.from({ length: 25 }, (_, i) => (i < 12 ? 0 : 100));
    fake.setHistory("hour", makeHistory("hour", hours));
    fake.setHistory("day", makeHistory("day", Array.from({ length: 31 }, (_, i) => 10 * i)));
    h = await renderApp({ fake });
    expect(fake.calls.some((c) => c.method === "stats.history")).toBe(false); // not read before the screen opens
    await h.press("3");
    await h.waitFor("24h by hour");
    const line = (label: string) => h.text().split("\n").find((l) => l.trimStart().startsWith(label))!;
    expect(line("24h by hour")).toMatch(/^ +24h by hour +▁{12}█{13} 1300 req +err 0% +\$1\.30 +p95 480ms$/); // quiet, then busy
    expect(line("30d by day")).toMatch(/^ +30d by day +▁.*█ 4650 req/);
    expect(fake.calls.filter((c) => c.method === "stats.history").map((c) => c.params)).toEqual([{ since: "24h", bucket: "hour" }, { since: "30d", bucket: "day" }]);
    fake.setHistory("hour", makeHistory("hour", hours.map((n) => n * 2)));
    fake.goDown();
    fake.comeBack();
    await h.waitFor("2600 req");
    expect(fits(h, 80, 24)).toBe(true);
  });
});
