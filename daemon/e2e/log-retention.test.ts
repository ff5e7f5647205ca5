// The request log's capture and disk guard through the real daemon (issue 17): log.capture globally
// and per client key (tokens and cost are counted from the full reply either way), and a nearly
// full disk (injected free space): rows without bodies, /health degraded with the reason, proxying on.
import { beforeAll, describe, expect, test } from "bun:test";
import type { FakeUpstream } from "./fake-upstream.ts";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CLIENT_KEY, chatBody, json } from "./harness.ts";
import { addKey } from "./key-fixtures.ts";
import { e2eSuite } from "./suite.ts";

const suite = e2eSuite("A");
let a: FakeUpstream;
beforeAll(() => void ([a] = suite.upstreams));

const ask = (url: string, key: string, content: string) =>
  fetch(`${url}/v1/chat/completions`, { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body: JSON.stringify(chatBody({ messages: [{ role: "user", content }] })) });

describe("log.capture", () => {
  test("metadata globally: no bodies, marked capture, tokens kept; a key's log_capture overrides it (full, truncate)", async () => {
    const r = await suite.route([{ name: "a", endpoint: a.url }], { config: { log: { capture: "metadata" } } });
    const full = await addKey(r, "full", { logCapture: "full" });
    const cut = await addKey(r, "cut", { logCapture: "truncate:16" });
    const plain = await addKey(r, "plain");
    for (const [key, text] of [[plain, "plain request"], [full, "full request"], [cut, "a request much longer than sixteen bytes"]] as const) {
      expect((await ask(r.url, key, text)).status).toBe(200);
    }
    const rows = await r.rows();
    const byKey = new Map(rows.map((x) => [x.keyName, x]));
    const p = byKey.get("plain")!;
    expect([p.requestBody, p.replyText, p.bodiesOmitted, p.bodiesDropped]).toEqual([null, null, "capture", false]);
    expect([p.promptTokens, p.completionTokens]).toEqual([5, 7]);
    const f = byKey.get("full")!;
    expect(f.requestBody).toContain("full request");
    expect(f.replyText).not.toBeNull();
    expect([f.bodiesOmitted, f.requestTruncated, f.replyTruncated]).toEqual([null, false, false]);
    const c = byKey.get("cut")!;
    expect(new TextEncoder().encode(c.requestBody!).length).toBeLessThanOrEqual(16);
    expect(c.requestBody!.length).toBeGreaterThan(0);
    expect(c.requestTruncated).toBe(true);
    expect([c.promptTokens, c.completionTokens]).toEqual([5, 7]);
  });

  test("a config reload changes the capture of the next rows", async () => {
    const dir = mkdtempSync(join(tmpdir(), "route-capture-"));
    const file = join(dir, "upstreams.yaml");
    const yaml = (capture: string) => `authorization: ${CLIENT_KEY}\nlog:\n  capture: ${capture}\nupstreams:\n  - name: a\n    sk: sk-a\n    endpoint: ${a.url}\n`;
    writeFileSync(file, yaml("full"));
    const r = await suite.route([{ name: "a", endpoint: a.url }], { upstreamsFile: file });
    expect((await ask(r.url, CLIENT_KEY, "before")).status).toBe(200);
    await r.rows(); // rows are built when written (~10 ms later): the first is in before the reload
    writeFileSync(file, yaml("metadata"));
    await r.daemon.reloadConfig();
    expect(r.daemon.logLife.status().capture).toBe("metadata");
    expect((await ask(r.url, CLIENT_KEY, "after")).status).toBe(200);
    const rows = await r.rows();
    expect(rows[0]!.requestBody).toContain("before");
    expect([rows[1]!.requestBody, rows[1]!.bodiesOmitted]).toEqual([null, "capture"]);
    rmSync(dir, { recursive: true, force: true });
  });
});

describe("disk nearly full", () => {
  test("rows are stored without bodies, /health is degraded with the reason, requests are answered; back to normal when space returns", async () => {
    let free = 10 << 20; // 10 MiB of 1 GiB: under the default 5 %
    const r = await suite.route([{ name: "a", endpoint: a.url }], { freeSpace: () => ({ total: 1 << 30, free }) });
    const key = await addKey(r, "k");
    expect((await ask(r.url, key, "while low")).status).toBe(200);
    const health = await json(await fetch(`${r.url}/health`));
    expect(health.status).toBe("degraded");
    expect(health.reason).toContain("disk is nearly full");
    const [low] = await r.rows();
    expect([low!.requestBody, low!.bodiesOmitted, low!.promptTokens]).toEqual([null, "disk_low", 5]);
    const status = r.daemon.logLife.status();
    expect(status.disk).toMatchObject({ low: true, free, rowsWithoutBodies: 1 });

    free = 500 << 20;
    r.daemon.logLife.disk!.check();
    expect((await json(await fetch(`${r.url}/health`))).status).toBe("ok");
    expect((await ask(r.url, key, "space again")).status).toBe(200);
    const rows = await r.rows();
    expect(rows[1]!.requestBody).toContain("space again");
    expect(rows[1]!.bodiesOmitted).toBeNull();
  });

  test("min_free as a size: 200 MiB free of 1 GiB is low under min_free 256MiB", async () => {
    const r = await suite.route([{ name: "a", endpoint: a.url }], { config: { log: { min_free: "256MiB" } }, freeSpace: () => ({ total: 1 << 30, free: 200 << 20 }) });
    expect(r.daemon.logLife.status()).toMatchObject({ minFree: "256.0 MiB", disk: { low: true } });
  });
});
