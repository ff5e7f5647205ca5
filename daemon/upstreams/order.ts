// The upstream list as one ordered array of drafts, and the changes that take the store (and
// the upstreams file) from the current rows to it. Pure: the service decides, this computes.
//
// Invariant: upstreams.yaml holds a prefix of the failover order (file upstreams come first).
// An upstream placed inside that prefix lives in the file; one placed after it lives in the
// database; at the boundary it keeps where it lives.
import { changed } from "../store/reconcile.ts";
import type { NewUpstream, UpstreamChanges, UpstreamRecord, UpstreamSource } from "../store/types.ts";

export type UpstreamFields = Omit<NewUpstream, "position" | "source">;

export interface Draft {
  id: number | null; // null: not stored yet
  fields: UpstreamFields;
  source: UpstreamSource;
  /** Its index in the upstreams file's list before the change; null if it is not there yet. */
  fileIndex: number | null;
}

export function fieldsOf(r: UpstreamRecord): UpstreamFields {
  const { id: _id, position: _p, source: _s, createdAt: _c, updatedAt: _u, ...fields } = r;
  return fields;
}

/** Rows in failover order → drafts; file rows remember their index in the file. */
export function draftsOf(rows: UpstreamRecord[]): Draft[] {
  let fileIndex = 0;
  return rows.map((r) => ({ id: r.id, fields: fieldsOf(r), source: r.source, fileIndex: r.source === "file" ? fileIndex++ : null }));
}

/** Inserts `item` at `index` (0-based), deciding where it lives from where it lands. */
export function place(drafts: Draft[], item: Draft, index: number): Draft[] {
  const fileCount = drafts.filter((d) => d.source === "file").length;
  const source: UpstreamSource = index < fileCount ? "file" : index > fileCount ? "runtime" : item.source;
  const placed = { ...item, source, fileIndex: source === "file" ? item.fileIndex : null };
  return [...drafts.slice(0, index), placed, ...drafts.slice(index)];
}

/** True when the file's list (members, order or fields) differs between `rows` and `drafts`. */
export function fileChanges(rows: UpstreamRecord[], drafts: Draft[]): boolean {
  const before = rows.filter((r) => r.source === "file");
  const after = drafts.filter((d) => d.source === "file");
  if (before.length !== after.length) return true;
  return after.some((d, i) => d.fileIndex !== i || changed(before[i]!, d.fields) !== null);
}

/** The store changes that make the rows equal the drafts: positions follow the drafts' order. */
export function storeChanges(rows: UpstreamRecord[], drafts: Draft[]): UpstreamChanges {
  const keep = new Set(drafts.map((d) => d.id));
  const byId = new Map(rows.map((r) => [r.id, r]));
  const out: UpstreamChanges = { deletes: rows.filter((r) => !keep.has(r.id)).map((r) => r.id), updates: [], inserts: [] };
  drafts.forEach((d, position) => {
    const want: NewUpstream = { ...d.fields, position, source: d.source };
    const row = d.id === null ? undefined : byId.get(d.id);
    if (!row) return void out.inserts.push(want);
    const patch = changed(row, want);
    if (patch) out.updates.push({ id: row.id, patch });
  });
  return out;
}
