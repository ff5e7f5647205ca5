import type { FileUpstream } from "../config/schema.ts";
import { ROUTING_DEFAULTS, type NewUpstream, type UpstreamChanges, type UpstreamPatch, type UpstreamRecord } from "./types.ts";

export type ReconcilePlan = UpstreamChanges;

/** The fields a (possibly partial) file entry sets, in the store's names; absent keys are left out. */
export function fieldsFromFile(u: Partial<FileUpstream>): Partial<NewUpstream> {
  const out: Partial<NewUpstream> = {};
  const set = <K extends keyof NewUpstream>(k: K, v: NewUpstream[K] | undefined) => {
    if (v !== undefined) out[k] = v;
  };
  set("name", u.name);
  set("endpoint", u.endpoint);
  set("sk", u.sk);
  set("timeoutMs", u.timeout);
  if (u.stream_timeout !== undefined) {
    out.streamTimeoutAuto = u.stream_timeout === "auto";
    out.streamTimeoutMs = u.stream_timeout === "auto" ? null : u.stream_timeout;
  }
  set("enabled", u.enabled);
  set("extra", u.extra);
  set("type", u.type);
  set("apiVersion", u.api_version);
  set("models", u.models);
  set("modelMapping", u.model_mapping);
  set("weight", u.weight);
  set("priority", u.priority);
  set("rpm", u.rpm);
  set("rpd", u.rpd);
  set("tpm", u.tpm);
  set("stallTimeoutMs", u.stall_timeout);
  set("maxInflight", u.max_inflight);
  set("headers", u.headers);
  set("groups", u.group);
  set("prices", u.prices);
  set("responses", u.responses);
  return out;
}

export function fromFile(u: FileUpstream, position: number): NewUpstream {
  return {
    ...ROUTING_DEFAULTS,
    name: null,
    timeoutMs: null,
    streamTimeoutMs: null,
    enabled: true,
    extra: null,
    ...fieldsFromFile(u),
    endpoint: u.endpoint,
    sk: u.sk,
    position,
    source: "file",
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
