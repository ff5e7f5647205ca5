import { describe, expect, test } from "bun:test";
import { configFileSchema, type FileUpstream } from "../config/schema.ts";
import { silentLogger } from "../log.ts";
import { openSqliteStore } from "../store/sqlite/open.ts";
import { createUpstreamService } from "../upstreams/service.ts";
import { createFakeCluster } from "./fake-cluster.ts";
import { clusterImport, databaseOnlyFile, FILE_HASH_META, upstreamsHash } from "./file-import.ts";

const list = (...u: Record<string, unknown>[]): FileUpstream[] => configFileSchema.parse({ upstreams: u }).upstreams!;
const A = { name: "a", endpoint: "http://a.test/v1", sk: "sk-aaaa-1111" };
const B = { name: "b", endpoint: "http://b.test/v1", sk: "sk-bbbb-2222" };

/** One node's view: a store on the shared fake cluster, the upstream service, the importer. */
function node(fake = createFakeCluster(), path = ":memory:") {
  const store = fake.wrap(openSqliteStore(path));
  const upstreams = createUpstreamService({ store, file: databaseOnlyFile("/etc/route/upstreams.yaml") });
  return { fake, store, upstreams, importFile: clusterImport(store.cluster!, upstreams, silentLogger) };
}

describe("upstreams file hash", () => {
  test("the same list hashes the same whatever the key order; any change of a field changes it", () => {
    expect(upstreamsHash(list(A, B))).toBe(upstreamsHash(list({ sk: A.sk, name: "a", endpoint: A.endpoint }, B)));
    expect(upstreamsHash(list(A, B))).not.toBe(upstreamsHash(list(B, A)));
    expect(upstreamsHash(list(A, B))).not.toBe(upstreamsHash(list(A, { ...B, sk: "sk-bbbb-3333" })));
    expect(upstreamsHash(list(A))).not.toContain("sk-aaaa"); // only a digest is stored
  });
});

describe("cluster import", () => {
  test("a file is imported once; the same file again leaves the database (and edits made since) alone", async () => {
    const n = node();
    expect(await n.importFile(list(A, B))).not.toBeNull();
    expect(n.fake.meta.get(FILE_HASH_META)).toBe(upstreamsHash(list(A, B)));
    await n.upstreams.update("a", { sk: "sk-rotated-9999", enabled: false });
    await n.upstreams.remove("b");
    expect(await n.importFile(list(A, B))).toBeNull(); // a restart with the old copy
    const rows = await n.store.listUpstreams();
    expect(rows.map((r) => [r.name, r.sk, r.enabled])).toEqual([["a", "sk-rotated-9999", false]]);
  });

  test("a changed file is imported (it is the truth for what it lists), then not again", async () => {
    const n = node();
    await n.importFile(list(A));
    await n.upstreams.update("a", { enabled: false });
    const plan = await n.importFile(list({ ...A, sk: "sk-new-key-7777" }, B));
    expect(plan?.inserts.map((u) => u.name)).toEqual(["b"]);
    expect((await n.store.listUpstreams()).map((r) => [r.name, r.sk, r.enabled])).toEqual([["a", "sk-new-key-7777", true], ["b", B.sk, true]]);
    expect(await n.importFile(list({ ...A, sk: "sk-new-key-7777" }, B))).toBeNull();
  });

  test("a node without a file (or without `upstreams:`) imports nothing", async () => {
    const n = node();
    await n.importFile(list(A));
    expect(await n.importFile(undefined)).toBeNull();
    expect((await n.store.listUpstreams()).map((r) => r.name)).toEqual(["a"]);
  });

  test("edits of file-imported upstreams are accepted without touching the file", async () => {
    const n = node();
    await n.importFile(list(A));
    const row = await n.upstreams.update("a", { weight: 3 });
    expect(row.weight).toBe(3);
    expect(row.source).toBe("file");
  });
});
