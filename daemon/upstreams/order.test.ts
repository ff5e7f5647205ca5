import { describe, expect, test } from "bun:test";
import { ROUTING_DEFAULTS, type UpstreamRecord } from "../store/types.ts";
import { draftsOf, fileChanges, place, storeChanges } from "./order.ts";

const row = (id: number, source: "file" | "runtime", position: number): UpstreamRecord => ({
  id, name: `u${id}`, endpoint: "http://h/v1", sk: "k", timeoutMs: null, streamTimeoutMs: null, enabled: true, position, source, extra: null, ...ROUTING_DEFAULTS, createdAt: 0, updatedAt: 0,
});
// Two file upstreams, then two runtime ones.
const rows = [row(1, "file", 0), row(2, "file", 1), row(3, "runtime", 2), row(4, "runtime", 3)];
const without = (id: number) => draftsOf(rows).filter((d) => d.id !== id);
const item = (id: number) => draftsOf(rows).find((d) => d.id === id)!;
const layout = (ds: ReturnType<typeof draftsOf>) => ds.map((d) => `${d.id}:${d.source[0]}`).join(" ");

describe("placing an upstream", () => {
  test("inside the file's range it lives in the file, after it in the database, at the boundary it stays", () => {
    expect(layout(place(without(3), item(3), 0))).toBe("3:f 1:f 2:f 4:r");
    expect(layout(place(without(1), item(1), 3))).toBe("2:f 3:r 4:r 1:r");
    expect(layout(place(without(3), item(3), 2))).toBe("1:f 2:f 3:r 4:r");
    expect(layout(place(without(2), item(2), 1))).toBe("1:f 2:f 3:r 4:r");
  });

  test("runtime-only changes leave the file alone; positions follow the new order", () => {
    const swapped = place(without(4), item(4), 2);
    expect(fileChanges(rows, swapped)).toBe(false);
    expect(storeChanges(rows, swapped)).toEqual({ deletes: [], inserts: [], updates: [{ id: 4, patch: { position: 2 } }, { id: 3, patch: { position: 3 } }] });
    const reordered = place(without(2), item(2), 0);
    expect(fileChanges(rows, reordered)).toBe(true);
    const disabled = draftsOf(rows).map((d) => (d.id === 1 ? { ...d, fields: { ...d.fields, enabled: false } } : d));
    expect(fileChanges(rows, disabled)).toBe(true);
    expect(storeChanges(rows, without(1))).toMatchObject({ deletes: [1] });
  });
});
