// Route's own YAML for a list of upstreams: `config.export` (keys masked, since keys never leave
// the daemon in full) and `routectl export --db` (keys in full, read by whoever may read the
// database file). Entries are formatted exactly like write-back entries in upstreams.yaml.
import { Document, YAMLSeq } from "yaml";
import { maskSecret } from "../../shared/secrets.ts";
import type { ConfigFile } from "../config/schema.ts";
import type { UpstreamRecord } from "../store/types.ts";
import { entryFor } from "./file.ts";
import { fieldsOf } from "./order.ts";

export interface ExportOptions {
  maskKeys: boolean;
  /** Global timeouts (ms) to write at the top, when they were set. */
  defaults?: { timeout?: number; stream_timeout?: number; stall_timeout?: number };
  /** Global price settings to write at the top, when they were set. */
  billing?: Pick<ConfigFile, "prices" | "group_ratio" | "unknown_price">;
}

const duration = (ms: number) => (ms % 1000 === 0 ? ms / 1000 : `${ms}ms`);

export function renderRouteYaml(rows: UpstreamRecord[], opts: ExportOptions): string {
  const doc = new Document({});
  const notes = [" Route upstreams, in failover order (routectl export)."];
  if (opts.maskKeys) notes.push(" Keys are masked: routed never hands them out. Fill them in, or run", " `routectl export --db FILE` to read them from the database.");
  notes.push(" Client keys (authorization) are not exported: copy them from your upstreams file.");
  doc.commentBefore = notes.join("\n");
  for (const [key, ms] of Object.entries(opts.defaults ?? {})) if (ms !== undefined) doc.set(key, duration(ms));
  for (const [key, v] of Object.entries(opts.billing ?? {})) if (v !== undefined) doc.set(key, doc.createNode(v));
  const seq = new YAMLSeq();
  const maskHeaders = (h: Record<string, string> | null) => (h && opts.maskKeys ? Object.fromEntries(Object.entries(h).map(([k, v]) => [k, maskSecret(v)])) : h);
  for (const r of rows) seq.items.push(entryFor(doc, { ...fieldsOf(r), sk: opts.maskKeys ? maskSecret(r.sk) : r.sk, headers: maskHeaders(r.headers) }));
  doc.set("upstreams", seq);
  return String(doc);
}
