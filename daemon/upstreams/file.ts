// Writing socket/admin edits of file-managed upstreams back into upstreams.yaml. The YAML
// Document API edits the parsed tree, so comments, key order and formatting of untouched entries
// survive. The result is validated like any config before it replaces the file (atomically).
import { accessSync, chmodSync, closeSync, constants, fsyncSync, openSync, readFileSync, realpathSync, renameSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { isMap, isSeq, parseDocument, YAMLMap, YAMLSeq, type Document } from "yaml";
import { RpcError } from "../../shared/rpc/errors.ts";
import { ConfigError, parseConfigText } from "../config/load.ts";
import { changed, fromFile } from "../store/reconcile.ts";
import type { UpstreamRecord } from "../store/types.ts";
import type { Draft, UpstreamFields } from "./order.ts";

export interface UpstreamsFile {
  readonly path: string;
  /** Replaces the file's upstream list with `next` (file drafts in order). `before`: the file rows now. */
  write(before: UpstreamRecord[], next: Draft[]): void;
}

/** Seconds when whole (openai-api-route's style), else milliseconds with the unit. */
const duration = (ms: number) => (ms % 1000 === 0 ? ms / 1000 : `${ms}ms`);

// Field → YAML key, in the order a new entry lists them. stream_timeout carries two fields: a
// duration (streamTimeoutMs) or "auto" (streamTimeoutAuto).
const YAML_KEYS: { [K in keyof UpstreamFields]: string } = {
  name: "name",
  type: "type",
  sk: "sk",
  endpoint: "endpoint",
  apiVersion: "api_version",
  timeoutMs: "timeout",
  streamTimeoutMs: "stream_timeout",
  streamTimeoutAuto: "stream_timeout",
  stallTimeoutMs: "stall_timeout",
  enabled: "enabled",
  models: "models",
  modelMapping: "model_mapping",
  priority: "priority",
  weight: "weight",
  rpm: "rpm",
  rpd: "rpd",
  tpm: "tpm",
  maxInflight: "max_inflight",
  headers: "headers",
  groups: "group",
  prices: "prices",
  responses: "responses",
  extra: "extra",
};

/** The YAML value of a key; undefined: the key is left out (its default applies). */
function yamlValue(yamlKey: string, f: UpstreamFields): unknown {
  switch (yamlKey) {
    case "stream_timeout":
      return f.streamTimeoutAuto ? "auto" : f.streamTimeoutMs === null ? undefined : duration(f.streamTimeoutMs);
    case "timeout":
      return f.timeoutMs === null ? undefined : duration(f.timeoutMs);
    case "stall_timeout":
      return f.stallTimeoutMs === null ? undefined : duration(f.stallTimeoutMs);
    case "type":
      return f.type === "openai" ? undefined : f.type; // the default is left out
    case "enabled":
      return f.enabled ? undefined : false;
  }
  const field = (Object.keys(YAML_KEYS) as (keyof UpstreamFields)[]).find((k) => YAML_KEYS[k] === yamlKey)!;
  const v = f[field];
  return v === null ? undefined : v;
}

const yamlKeysInOrder = [...new Set(Object.values(YAML_KEYS))];

/** A new list entry with its keys in the README's order; defaults (enabled, type openai) left out. */
export function entryFor(doc: Document, f: UpstreamFields): YAMLMap {
  const map = new YAMLMap();
  for (const key of yamlKeysInOrder) {
    const v = yamlValue(key, f);
    if (v !== undefined) map.set(key, doc.createNode(v));
  }
  return map;
}

/** Edits the keys whose fields changed in place, so the entry keeps its comments. */
function patchEntry(doc: Document, node: YAMLMap, from: UpstreamRecord, to: UpstreamFields): void {
  const diff = changed(from, to) ?? {};
  const keys = new Set((Object.keys(diff) as (keyof UpstreamFields)[]).map((k) => YAML_KEYS[k]));
  for (const key of keys) {
    const v = yamlValue(key, to);
    // An explicit `enabled: true` written by hand stays when it is still true.
    if (key === "enabled" && v === undefined && node.has("enabled")) node.set("enabled", true);
    else if (v === undefined) node.delete(key);
    else node.set(key, doc.createNode(v));
  }
}

/** Writes next to the file and renames over it: a reader never sees half a file. Keeps the mode. */
function replaceFile(path: string, text: string): void {
  const real = realpathSync(path);
  const mode = statSync(real).mode & 0o777;
  const tmp = join(dirname(real), `.${basename(real)}.${process.pid}.tmp`);
  try {
    writeFileSync(tmp, text, { mode, flag: "w" });
    chmodSync(tmp, mode);
    const fd = openSync(tmp, "r");
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, real);
  } catch (err) {
    try {
      unlinkSync(tmp);
    } catch {}
    throw err;
  }
}

export interface FileDeps {
  /** Throws when the file cannot be replaced (tests inject a refusal: they run as root). */
  checkWritable?: (path: string) => void;
}

function defaultCheckWritable(path: string): void {
  const real = realpathSync(path);
  accessSync(real, constants.W_OK); // EROFS under ProtectSystem=, EACCES by permissions
  accessSync(dirname(real), constants.W_OK); // the temporary file and the rename need the directory
}

export function bindUpstreamsFile(path: string, deps: FileDeps = {}): UpstreamsFile {
  const checkWritable = deps.checkWritable ?? defaultCheckWritable;

  function load(): Document {
    const text = readFileSync(path, "utf8");
    try {
      parseConfigText(path, text);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      throw new RpcError("file_invalid", `${path} has errors; fix them and run \`routectl reload\`: ${err.problems.join("; ")}`, { problems: err.problems });
    }
    return parseDocument(text);
  }

  return {
    path,
    write(before, next) {
      try {
        checkWritable(path);
      } catch (err) {
        const why = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
        throw new RpcError(
          "file_managed",
          `that change rewrites ${path}, which routed cannot write (${why}); make the file and its directory writable by routed's user, or edit the file yourself and run \`routectl reload\``,
          { file: path },
        );
      }
      const doc = load();
      const listed = (parseConfigText(path, String(doc)).upstreams ?? []).map(fromFile);
      if (listed.length !== before.length || listed.some((u, i) => changed(before[i]!, { ...u, position: before[i]!.position }) !== null)) {
        throw new RpcError("file_changed", `${path} was edited since routed last read it; run \`routectl reload\` (or send SIGHUP), then retry`, { file: path });
      }
      const seq = doc.get("upstreams", true);
      const old = isSeq(seq) ? (seq.items as unknown[]) : [];
      // The parser files a comment above the first entry under the list; it belongs to that entry.
      if (isSeq(seq) && seq.commentBefore && isMap(old[0]) && !old[0].commentBefore) {
        old[0].commentBefore = seq.commentBefore;
        seq.commentBefore = undefined;
      }
      const items = next.map((d) => {
        const node = d.fileIndex === null ? undefined : old[d.fileIndex];
        if (!isMap(node)) return entryFor(doc, d.fields);
        patchEntry(doc, node as YAMLMap, before[d.fileIndex!]!, d.fields);
        return node;
      });
      if (isSeq(seq)) (seq as YAMLSeq).items = items;
      else doc.set("upstreams", Object.assign(new YAMLSeq(), { items }));
      const text = String(doc);
      parseConfigText(path, text); // never write a file routed would refuse at its next start
      replaceFile(path, text);
    },
  };
}
