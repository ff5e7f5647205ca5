// The real daemon on a Postgres store: a request proxied to a fake upstream is logged, and its row
// is read back through the store (as another node, or routectl --db, would read it).
import { afterAll, describe, expect, test } from "bun:test";
import { openPgStore } from "../store/pg/open.ts";
import type { Store } from "../store/types.ts";
import { testDatabase } from "../test-services.ts";
import { startFakeUpstream, type FakeUpstream } from "./fake-upstream.ts";
import { chatBody, startRoute } from "./harness.ts";

const pg = await testDatabase();

describe.skipIf(!pg)("routed on Postgres", () => {
  const cleanup: (() => unknown)[] = [];
  afterAll(async () => {
    for (const c of cleanup.reverse()) await c();
  });

  test("a proxied request's log row is in the database; the upstream added through the store is used", async () => {
    const a: FakeUpstream = await startFakeUpstream("A");
    cleanup.push(() => a.stop());
    const route = await startRoute([{ name: "pg-a", sk: "sk-upstream-pg-secret", endpoint: a.url }], { store: await openPgStore(pg!) });
    cleanup.push(() => route.stop());
    const res = await route.post("/v1/chat/completions", chatBody({ messages: [{ role: "user", content: "hello from postgres" }] }));
    expect(res.status).toBe(200);
    const id = res.headers.get("x-request-id")!;
    await route.daemon.writer.drain();

    const reader: Store = await openPgStore(pg!);
    cleanup.push(() => reader.close());
    const row = await reader.getLog(id);
    expect(row).toMatchObject({ id, status: 200, upstreamName: "pg-a", method: "POST", path: "/v1/chat/completions", stream: false });
    expect(row!.requestBody).toContain("hello from postgres");
    expect((await reader.queryLogs({ text: "HELLO FROM", limit: 5 })).map((e) => e.id)).toEqual([id]);
    expect((await reader.listUpstreams()).map((u) => u.name)).toEqual(["pg-a"]);
    expect(await reader.cluster!.configVersion()).toBeGreaterThan(0); // the file import bumped it
  });
});
