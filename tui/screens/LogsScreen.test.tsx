// The Logs screen against a fake routed: the live tail (backfill, batching, the memory cap),
// every binding of the screen, the filter prompt, and one request in full.
import { afterEach, describe, expect, test } from "bun:test";
import { binding } from "../test/binding.ts";
import { createFakeClient } from "../test/fake-client.ts";
import { makeKey, makeLog, makeUpstream } from "../test/fixtures.ts";
import { renderApp, type Harness } from "../test/harness.tsx";

let h: Harness;
afterEach(() => h?.unmount());

const selected = () => h.text().split("\n").find((l) => l.startsWith("›")) ?? "";
const lastSub = () => h.fake.calls.filter((c) => c.method === "logs.subscribe").at(-1)!.params;

async function start(opts: { logs?: number; tailCap?: number } = {}) {
  const logs = Array.from({ length: opts.logs ?? 0 }, () => makeLog());
  const fake = createFakeClient({ upstreams: [makeUpstream({ id: 1, name: "up1" }), makeUpstream({ id: 2, name: "up2" })], logs });
  h = await renderApp({ fake, tailCap: opts.tailCap });
  await h.press("2");
  await h.waitFor("LIVE");
  return logs;
}
const emit = (n: number, p: Parameters<typeof makeLog>[0] = {}) => Array.from({ length: n }, () => {
  const l = makeLog(p);
  h.fake.emitLog(l);
  return l;
});

describe("the tail", () => {
  test("backfills what routed logged before, then shows requests as they finish, reply text included", async () => {
    const old = await start({ logs: 3 });
    await h.waitFor(old[2]!.replyText!);
    emit(1, { status: 502, upstreamName: "up2", replyText: "the live one", model: "gpt-x" });
    await h.waitFor("the live one");
    expect(selected()).toMatch(/502\s+up2\s+gpt-x/); // the cursor follows the newest
  });

  test("batches a burst into a few renders and keeps only the last `cap` entries in memory", async () => {
    await start({ tailCap: 100 });
    const before = h.renders();
    emit(1000);
    await h.waitFor("last 100 kept, 900 older dropped");
    expect(h.text()).toContain("100 shown");
    expect(h.renders() - before).toBeLessThan(10); // one flush, not a thousand renders
    expect(selected()).toContain(`answer number`);
  });
});

describe("keys", () => {
  test(`${binding("logs", "up")}, ${binding("logs", "down")}, ${binding("logs", "first")}, ${binding("logs", "last")}`, async () => {
    const logs = await start({ logs: 30 });
    const reply = (i: number) => logs[i]!.replyText!;
    await h.waitFor(() => selected().includes(reply(29)));
    await h.press("up");
    await h.waitFor(() => selected().includes(reply(28)));
    await h.press("k");
    await h.waitFor(() => selected().includes(reply(27)));
    emit(1, { replyText: "arrives while reading" });
    await h.waitFor(() => h.text().includes("holding view"));
    expect(selected()).toContain(reply(27)); // the view holds still
    await h.press("down");
    await h.waitFor(() => selected().includes(reply(28)));
    await h.press("j");
    await h.waitFor(() => selected().includes(reply(29)));
    await h.press("home");
    await h.waitFor(() => selected().includes(reply(0)));
    await h.press("end");
    await h.waitFor(() => selected().includes("arrives while reading"));
    await h.press("g");
    await h.waitFor(() => selected().includes(reply(0)));
    await h.press("G");
    await h.waitFor(() => selected().includes("arrives while reading") && h.text().includes("LIVE  "));
  });

  test(`${binding("logs", "pageUp")}, ${binding("logs", "pageDown")}`, async () => {
    const logs = await start({ logs: 60 });
    await h.waitFor(() => selected().includes(logs[59]!.replyText!));
    await h.press("pageup");
    await h.waitFor(() => selected().includes(logs[59 - 18]!.replyText!)); // one page: 18 rows at 80×24
    await h.press("pagedown");
    await h.waitFor(() => selected().includes(logs[59]!.replyText!));
  });

  test(binding("logs", "pause"), async () => {
    await start({ logs: 2 });
    await h.press("p");
    await h.waitFor("PAUSED (0 new)");
    emit(3, { replyText: "while paused" });
    await h.waitFor("PAUSED (3 new)");
    expect(h.text()).not.toContain("while paused");
    await h.press("space");
    await h.waitFor("while paused");
    expect(h.text()).toContain("LIVE");
  });

  test(`${binding("logs", "filterUpstream")}, ${binding("logs", "filterStatus")}, ${binding("logs", "clearFilters")}`, async () => {
    await start();
    await h.press("u");
    await h.waitFor("filter: upstream up1");
    expect(lastSub()).toEqual({ upstream: "up1" });
    await h.press("u");
    await h.waitFor("filter: upstream up2");
    await h.press("s");
    await h.waitFor("filter: upstream up2, status 2xx");
    await h.press("s");
    await h.waitFor("status 4xx");
    expect(lastSub()).toEqual({ upstream: "up2", status: "4xx" });
    await h.press("c");
    await h.waitFor(() => !h.text().includes("filter:"));
    expect(lastSub()).toEqual({});
  });

  test(`${binding("logs", "open")}: the request's messages, the whole reply, every attempt`, async () => {
    await start();
    const reply = Array.from({ length: 60 }, (_, i) => `reply line ${i + 1}`).join("\n");
    emit(1, {
      replyText: reply,
      status: 200,
      upstreamName: "up2",
      attempts: [
        { upstreamId: 1, upstream: "up1", outcome: "timeout", ms: 5000 },
        { upstreamId: 2, upstream: "up2", outcome: "ok", status: 200, ms: 300 },
      ],
    });
    await h.waitFor("reply line 1");
    await h.press("enter");
    await h.waitFor("POST /v1/chat/completions  200  model gpt-4o-mini");
    expect(h.text()).toMatch(/1\. up1\s+timeout\s+-\s+5s/);
    expect(h.text()).toMatch(/2\. up2\s+ok\s+200\s+300ms/);
    expect(h.text()).toContain("[system]");
    expect(h.text()).toContain("be brief");
  });
});

describe("scrolling a long view", () => {
  test(`${binding("view", "down")}, ${binding("view", "up")}, ${binding("view", "pageDown")}, ${binding("view", "pageUp")}, ${binding("view", "first")}, ${binding("view", "last")}, ${binding("view", "close")}`, async () => {
    await start();
    emit(1, { replyText: Array.from({ length: 60 }, (_, i) => `reply line ${i + 1}`).join("\n") });
    await h.waitFor("reply line 1");
    await h.press("enter");
    await h.waitFor(/lines 1-20 of \d+/);
    const total = Number(/of (\d+)/.exec(h.text())![1]);
    await h.press("down");
    await h.waitFor("lines 2-21");
    await h.press("j");
    await h.waitFor("lines 3-22");
    await h.press("up");
    await h.waitFor("lines 2-21");
    await h.press("k");
    await h.waitFor("lines 1-20");
    await h.press("pagedown");
    await h.waitFor("lines 21-40");
    await h.press("space");
    await h.waitFor("lines 41-60");
    await h.press("pageup");
    await h.waitFor("lines 21-40");
    await h.press("end");
    await h.waitFor(`lines ${total - 19}-${total} of ${total}`);
    expect(h.text()).toContain("reply line 60");
    await h.press("home");
    await h.waitFor("lines 1-20");
    await h.press("G");
    await h.waitFor(`lines ${total - 19}-${total}`);
    await h.press("g");
    await h.waitFor("lines 1-20");
    await h.press("backspace");
    await h.waitFor("LIVE");
  });
});

describe("client keys in the logs", () => {
  async function withKeys(width = 80) {
    const logs = [makeLog({ keyId: 1, keyName: "alice", costMicros: 123, replyText: "from alice" }), makeLog({ keyId: 2, keyName: "bob", costMicros: 2_500_000, replyText: "from bob" }), makeLog({ replyText: "from shared", costMicros: null })];
    const fake = createFakeClient({ upstreams: [makeUpstream({ id: 1, name: "up1" })], logs, keys: [makeKey({ id: 1, name: "alice" }), makeKey({ id: 2, name: "bob" })] });
    h = await renderApp({ fake, width });
    await h.press("2");
    await h.waitFor("from shared");
  }

  test(`${binding("logs", "filterKey")}: routed is asked for that key's requests only, live and backfilled`, async () => {
    await withKeys();
    await h.press("K");
    await h.waitFor("filter: key alice");
    expect(lastSub()).toEqual({ key: "alice" });
    expect(h.fake.calls.filter((c) => c.method === "logs.query").at(-1)!.params).toEqual({ key: "alice", limit: 200 });
    await h.waitFor(() => !h.text().includes("from shared"));
    expect(h.text()).toContain("from alice");
    expect(h.text()).not.toContain("from bob");
    emit(1, { keyId: 2, keyName: "bob", replyText: "bob again" });
    emit(1, { keyId: 1, keyName: "alice", replyText: "alice again" });
    await h.waitFor("alice again");
    expect(h.text()).not.toContain("bob again");
    await h.press("K");
    await h.waitFor("filter: key bob");
    await h.press("K");
    await h.waitFor(() => !h.text().includes("filter:"));
    expect(lastSub()).toEqual({});
  });

  test("a wide terminal shows each request's key and cost; the request view shows key, cost and price source", async () => {
    await withKeys(120);
    expect(h.text()).toMatch(/KEY\s+COST/);
    expect(h.text()).toMatch(/alice\s+\$0\.000123 from alice/);
    expect(h.text()).toMatch(/bob\s+\$2\.50 from bob/);
    emit(1, { keyId: 1, keyName: "alice", costMicros: 4567, priceSource: "genai-prices:openai/gpt-4o-mini", replyText: "priced" });
    await h.waitFor("priced");
    await h.press("enter");
    await h.waitFor(/key\s+alice/);
    expect(h.text()).toMatch(/cost\s+\$0\.004567/);
    expect(h.text()).toMatch(/price\s+genai-prices:openai\/gpt-4o-mini/);
    await h.press("escape");
    await h.press("up");
    await h.press("enter");
    await h.waitFor(/key\s+shared \(authorization\)/);
    expect(h.text()).toMatch(/cost\s+unknown/);
  });
});
