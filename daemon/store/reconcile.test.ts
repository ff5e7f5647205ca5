import { describe, expect, test } from "bun:test";
import { planReconcile } from "./reconcile.ts";
import { ROUTING_DEFAULTS, type UpstreamRecord } from "./types.ts";

const row = (id: number, over: Partial<UpstreamRecord>): UpstreamRecord => ({
  id,
  name: null,
  endpoint: "http://e/v1",
  sk: "k",
  timeoutMs: null,
  streamTimeoutMs: null,
  enabled: true,
  position: id - 1,
  source: "file",
  extra: null,
  ...ROUTING_DEFAULTS,
  createdAt: 0,
  updatedAt: 0,
  ...over,
});

describe("planReconcile", () => {
  test("matches by name, updates what changed, keeps runtime upstreams after the file ones", () => {
    const existing = [row(1, { name: "a", sk: "old" }), row(2, { name: "rt", source: "runtime", position: 1 }), row(3, { name: "gone" })];
    const plan = planReconcile(existing, [{ name: "new", sk: "k", endpoint: "http://n/v1" }, { name: "a", sk: "fresh", endpoint: "http://e/v1" }]);
    expect(plan.deletes).toEqual([3]);
    expect(plan.inserts).toEqual([expect.objectContaining({ name: "new", position: 0, source: "file" })]);
    expect(plan.updates).toEqual([
      { id: 1, patch: { sk: "fresh", position: 1 } },
      { id: 2, patch: { position: 2 } },
    ]);
  });

  test("unnamed upstreams match by endpoint in file order, duplicates included", () => {
    const existing = [row(1, { endpoint: "http://x/v1", sk: "k1" }), row(2, { endpoint: "http://x/v1", sk: "k2" })];
    const plan = planReconcile(existing, [
      { sk: "k1", endpoint: "http://x/v1" },
      { sk: "k2b", endpoint: "http://x/v1" },
    ]);
    expect(plan).toEqual({ inserts: [], deletes: [], updates: [{ id: 2, patch: { sk: "k2b" } }] });
  });

  test("a runtime upstream whose name appears in the file becomes file-managed", () => {
    const plan = planReconcile([row(1, { name: "a", source: "runtime" })], [{ name: "a", sk: "k", endpoint: "http://e/v1" }]);
    expect(plan.updates).toEqual([{ id: 1, patch: { source: "file" } }]);
  });
});
