import type { FileUpstream } from "../config/schema.ts";
import type { NewUpstream, UpstreamChanges, UpstreamPatch, UpstreamRecord } from "./types.ts";

export type ReconcilePlan = UpstreamChanges;

export function fromFile(u: FileUpstream, position: number): NewUpstream {
  return {
    name: u.name ?? null,
    endpoint: u.endpoint,
    sk: u.sk,
    timeoutMs: u.timeout ?? null,
    streamTimeoutMs: u.stream_timeout ?? null,
    enabled: u.enabled ?? true,
    position,
    source: "file",
    extra: u.extra ?? null,
  };
}

const same = (a: unknown, b: unknown) => a === b || (typeof a === "object" && typeof b === "object" && JSON.stringify(a) === JSON.stringify(b));

/** The fields of `want` that differ from `row`; null when none do. */
export function changed(row: UpstreamRecord, want: Partial<NewUpstream>): UpstreamPatch | null {
  const patch: UpstreamPatch = {};
  for (const k of Object.keys(want) as (keyof NewUpstream)[]) {
    if (!same(row[k], want[k])) (patch as Record<string, unknown>)[k] = want[k];
  }
  return Object.keys(patch).length > 0 ? patch : null;
}

/**
 * The file is the truth for the upstreams it lists: matched by name, or (unnamed) by endpoint in
 * file order. File upstreams come first, in file order; upstreams added at runtime keep their
 * relative order after them. File upstreams no longer in the file are removed.
 */
export function planReconcile(existing: UpstreamRecord[], file: FileUpstream[]): ReconcilePlan {
  const plan: ReconcilePlan = { inserts: [], updates: [], deletes: [] };
  const byName = new Map(existing.filter((r) => r.name !== null).map((r) => [r.name!, r]));
  const unnamedFile = existing.filter((r) => r.name === null && r.source === "file");
  const matched = new Set<number>();

  file.forEach((u, i) => {
    const want = fromFile(u, i);
    const row = u.name !== undefined ? byName.get(u.name) : unnamedFile.find((r) => !matched.has(r.id) && r.endpoint === u.endpoint);
    if (!row) return void plan.inserts.push(want);
    matched.add(row.id);
    const patch = changed(row, want);
    if (patch) plan.updates.push({ id: row.id, patch });
  });

  let position = file.length;
  for (const row of existing) {
    if (matched.has(row.id)) continue;
    if (row.source === "file") plan.deletes.push(row.id);
    else {
      if (row.position !== position) plan.updates.push({ id: row.id, patch: { position } });
      position++;
    }
  }
  return plan;
}
