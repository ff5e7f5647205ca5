// The store contract the rest of the daemon depends on. The proxy only sees this interface, so a
// Postgres backend is one more implementation of it, not a change to the request path.
import type { RollupQuery, RollupRecord } from "./rollup.ts";
import { ROUTING_DEFAULTS as SHARED_ROUTING_DEFAULTS, type PriceTable, type UpstreamType } from "../../shared/upstream-fields.ts";

export type UpstreamSource = "file" | "runtime";
export type { UpstreamType };

export interface UpstreamRecord {
  id: number;
  name: string | null;
  endpoint: string;
  sk: string;
  timeoutMs: number | null; // null: the global default applies
  streamTimeoutMs: number | null;
  enabled: boolean;
  position: number;
  source: UpstreamSource;
  /** Imported fields Route does not use yet (rpm, rpd, models, modelMapping, …), kept verbatim. */
  extra: Record<string, unknown> | null;
  /** "azure": deployment URLs, `api-key` header, `apiVersion` query; "anthropic": the Messages API; "gemini": Google's OpenAI-compatible API. */
  type: UpstreamType;
  apiVersion: string | null;
  /** Models served (globs allowed); null or empty: any model. */
  models: string[] | null;
  /** Requested model → the name this upstream wants (Azure: the deployment). */
  modelMapping: Record<string, string> | null;
  weight: number | null; // null: 1
  priority: number | null; // null: 0; higher tiers are tried first
  rpm: number | null; // null or -1: unlimited; 0: never used (api-together's meaning)
  rpd: number | null;
  tpm: number | null;
  stallTimeoutMs: number | null; // null: the global default
  /** stream_timeout: auto — first-token timeout derived from observed TTFT (streamTimeoutMs, if set, is the ceiling). */
  streamTimeoutAuto: boolean;
  maxInflight: number | null; // null: no cap
  /** Extra request headers sent to this upstream. */
  headers: Record<string, string> | null;
  /** Upstream groups (one-api's channel groups); null: ["default"]. */
  groups: string[] | null;
  /** Model glob → price (USD per million tokens), overriding the global `prices` and the table. */
  prices: PriceTable | null;
  /** Serves the Responses API itself (else translated to Chat Completions); null: true for openai/azure. Anthropic and Gemini never do. */
  responses: boolean | null;
  createdAt: number;
  updatedAt: number;
}

export type NewUpstream = Omit<UpstreamRecord, "id" | "createdAt" | "updatedAt">;

/** The routing settings of an upstream, and their defaults (what an upstream without them gets). */
export type RoutingSettings = Pick<
  UpstreamRecord,
  "type" | "apiVersion" | "models" | "modelMapping" | "weight" | "priority" | "rpm" | "rpd" | "tpm" | "stallTimeoutMs" | "streamTimeoutAuto" | "maxInflight" | "headers" | "groups" | "prices" | "responses"
>;
export const ROUTING_DEFAULTS: Readonly<RoutingSettings> = SHARED_ROUTING_DEFAULTS;
export type UpstreamPatch = Partial<Omit<UpstreamRecord, "id" | "createdAt" | "updatedAt">>;

/** A set of upstream changes the store applies in one transaction (reconcile, socket and admin edits). */
export interface UpstreamChanges {
  deletes: number[];
  updates: { id: number; patch: UpstreamPatch }[];
  inserts: NewUpstream[];
}

export interface AttemptRecord {
  upstreamId: number;
  upstream: string;
  outcome: string; // "ok", "http_429", "http_5xx", "connect_error", "timeout", "reset", "stream_error", …
  status?: number;
  ms: number;
}

export interface LogRow {
  id: string;
  ts: number;
  clientIp: string | null;
  method: string;
  path: string;
  model: string | null;
  stream: boolean;
  requestBody: string | null;
  requestBytes: number;
  requestTruncated: boolean;
  upstreamId: number | null;
  upstreamName: string | null;
  /** The model name sent to the upstream, when a mapping changed it (else null). */
  upstreamModel: string | null;
  /** Labels of the upstreams the request could try, in order (null: no plan, e.g. a local answer). */
  plan: string[] | null;
  attempts: AttemptRecord[];
  status: number;
  ttfbMs: number | null;
  ttftMs: number | null;
  totalMs: number;
  replyText: string | null;
  toolCalls: unknown[] | null;
  promptTokens: number | null;
  completionTokens: number | null;
  totalTokens: number | null;
  /** Token counts were computed locally (the upstream reported no usage). */
  tokensEstimated: boolean;
  errorCode: string | null;
  errorMessage: string | null;
  userAgent: string | null;
  /** The answering upstream's own request id (x-request-id, request-id, …). */
  upstreamRequestId: string | null;
  /** The log queue was over its byte bound: request body, reply text and tool calls were dropped. */
  bodiesDropped: boolean;
  /** The client key used (null: a shared `authorization` key, or none); its name at the time. */
  keyId: number | null;
  keyName: string | null;
  /** Integer micro-dollars charged for the request; null: no known price. */
  costMicros: number | null;
  /** Which price was used ("genai-prices:openai/gpt-4o", "config:…", "estimate"); null with no cost. */
  priceSource: string | null;
  /** Token classes beside prompt/completion, when the upstream reported them. */
  cachedTokens: number | null;
  cacheWriteTokens: number | null;
  reasoningTokens: number | null;
  /** Session affinity chose the answering upstream (the session's upstream from its last turn). */
  affinity: boolean;
  /** Why the bodies are absent (null: kept as captured); see BODIES_OMITTED. */
  bodiesOmitted: BodiesOmitted | null;
  /** log.capture truncate cut the reply text (or left out tool calls past the size). */
  replyTruncated: boolean;
}

/**
 * Why a row has no bodies though the request had some: "capture" (log.capture or the key's
 * log_capture is metadata), "disk_low" (the database's disk was nearly full when it was written),
 * "expired" (cleared by log.body_retention), "max_size" (cleared to keep the log under log.max_size).
 * bodiesDropped stays the log queue's own overflow mark.
 */
export const BODIES_OMITTED = ["capture", "disk_low", "expired", "max_size"] as const;
export type BodiesOmitted = (typeof BODIES_OMITTED)[number];

/** The columns a log listing shows: everything but the bodies. */
export const LOG_SUMMARY_FIELDS = [
  "id", "ts", "method", "path", "model", "stream", "upstreamId", "upstreamName", "status",
  "ttftMs", "totalMs", "promptTokens", "completionTokens", "errorCode", "keyName", "costMicros",
] as const;
export const REPLY_PREVIEW_CHARS = 200;
/** …plus the beginning of the reply, so a listing shows what was answered. */
export type LogSummary = Pick<LogRow, (typeof LOG_SUMMARY_FIELDS)[number]> & { replyPreview: string | null };

export function toLogSummary(row: LogRow): LogSummary {
  const out: Record<string, unknown> = {};
  for (const k of LOG_SUMMARY_FIELDS) out[k] = row[k];
  out.replyPreview = row.replyText === null ? null : row.replyText.slice(0, REPLY_PREVIEW_CHARS);
  return out as LogSummary;
}

export interface LogQuery {
  /** An upstream id, or the name/label logged at the time. */
  upstream?: number | string;
  model?: string;
  /** An exact status, or a class such as "5xx". */
  status?: number | string;
  since?: number; // ms since epoch, inclusive
  until?: number; // ms since epoch, exclusive
  /** Text found in the request body or the reply (substring, case-insensitive; scans the rows). */
  text?: string;
  /**
   * Words that all occur in the request body or the reply (full-text index: SQLite FTS5, Postgres
   * tsvector). Results are newest-written first (SQLite: the index's order, which is id order
   * except for requests that finished out of arrival order); `before` pages through them.
   */
  search?: string;
  /** The row's error code exactly (e.g. "upstream_timeout"). */
  errorCode?: string;
  stream?: boolean;
  /** Only requests that took at least this long in total. */
  minLatencyMs?: number;
  /** The client key's name, as logged. */
  key?: string;
  /** Only rows older than this id (ids are UUIDv7, so time-ordered): the paging cursor. */
  before?: string;
  limit: number;
}

export type BudgetWindow = "total" | "day" | "week" | "month";

/** A client key as stored: never the secret, only its SHA-256 and a visible prefix. */
export interface ClientKeyRecord {
  id: number;
  name: string;
  prefix: string;
  hash: string; // hex SHA-256 of the secret
  prevHash: string | null; // the secret before the last rotation…
  prevValidUntil: number | null; // …valid until then (ms)
  enabled: boolean;
  expiresAt: number | null;
  models: string[] | null;
  groups: string[] | null;
  allowIps: string[] | null;
  rpm: number | null;
  rpd: number | null;
  tpm: number | null;
  maxInflight: number | null;
  budgetMicros: number | null;
  budgetWindow: BudgetWindow;
  softBudgetMicros: number | null;
  allowPinning: boolean;
  /** full | metadata | truncate:<bytes> (shared/log-capture.ts); null: the global log.capture. */
  logCapture: string | null;
  note: string | null;
  createdAt: number;
  updatedAt: number;
}

export type NewClientKey = Omit<ClientKeyRecord, "id" | "createdAt" | "updatedAt">;
export type ClientKeyPatch = Partial<NewClientKey>;

/** A change of a key's balance other than a request's settlement (which is its log row's cost). */
export interface LedgerEntry {
  id: number;
  keyId: number;
  ts: number;
  kind: "adjust" | "reset";
  amountMicros: number; // signed: a reset of 5 USD spent is -5_000_000
  note: string | null;
}

/** Requests, tokens and money of one key over a period, from its log rows. */
export interface KeyUsage {
  keyId: number;
  requests: number;
  promptTokens: number;
  completionTokens: number;
  costMicros: number;
  /** Requests answered without a known price (not in costMicros). */
  unpriced: number;
}

/** A routed process as the cluster sees it (heartbeats in the shared store). */
export interface NodeRecord {
  id: string; // the node's id (its Via mark, "route-…")
  address: string; // host:port it serves on
  version: string;
  startedAt: number; // ms
  inflight: number;
  /** Its latest stats snapshot (requests, errors, …), for `routectl nodes --stats`; null: none yet. */
  stats: unknown;
  /** When it last beat, by the database's clock (ms). */
  beatAt: number;
}

/**
 * What several nodes on one database share beyond the tables (Postgres only; SQLite is one node).
 * Every upstream and key edit made through the Store bumps the config version and sends a
 * notification in the edit's own transaction, so a node that hears it and re-reads sees the edit.
 */
export interface ClusterStore {
  configVersion(): Promise<number>;
  /**
   * Listens for config changes: `onChange(version)` on every notification, and `onChange(null)` after
   * every (re)connection of the listener (a notification may have been missed while it was down).
   * Resolves once listening; the returned function stops it.
   */
  watchConfig(onChange: (version: number | null) => void): Promise<() => Promise<void>>;
  /** Upserts this node's row with beatAt = the database's now. */
  heartbeat(node: Omit<NodeRecord, "beatAt">): Promise<void>;
  listNodes(): Promise<NodeRecord[]>;
  removeNode(id: string): Promise<void>;
  /** Small named values the nodes share (e.g. the hash of the last imported upstreams file). */
  getMeta(key: string): Promise<string | null>;
  setMeta(key: string, value: string): Promise<void>;
}

/**
 * Money budgets shared by several nodes (Postgres only), decided by the database in one statement
 * each, so nodes admitting the same key at once never spend past its budget together.
 */
export interface BudgetStore {
  /**
   * Holds `micros` against the key's budget in the window starting at `windowStart` if spent +
   * held + micros <= budgetMicros; returns whether it did, and the totals after.
   */
  reserve(r: { keyId: number; windowStart: number; budgetMicros: number; micros: number; nodeId: string }): Promise<{ ok: boolean; spentMicros: number; heldMicros: number }>;
  /** Releases a hold and adds the real cost (null: unknown, nothing) to the window's spend. */
  settle(s: { keyId: number; windowStart: number; heldMicros: number; costMicros: number | null; nodeId: string }): Promise<void>;
  /** Releases every hold of a node that stopped (its requests will never settle). */
  releaseNode(nodeId: string): Promise<void>;
  /** What the window has spent (0 when it has no row yet): a read, nothing held or written. */
  spent(keyId: number, windowStart: number): Promise<number>;
}

/**
 * What the retention job (retention.ts) asks of a store: small, bounded steps it drives in order,
 * each one short transaction, so no step holds the log's write lock for long.
 */
export interface LogRetentionStore {
  /** Bytes the request log takes in the database (SQLite: the file's pages in use; Postgres: request_logs with its partitions and indexes). */
  logBytes(): Promise<number>;
  /** The ts of the n-th oldest row (n ≥ 1) with from ≤ ts < before; null when there are fewer. */
  nthTs(from: number, before: number, n: number): Promise<number | null>;
  /** In one transaction: folds the keyed rows with from ≤ ts < to into key_spend_days as local day `day`, and deletes every row of that range. Rows deleted. */
  deleteRange(day: number, from: number, to: number): Promise<number>;
  /** Sets the bodies of rows with from ≤ ts < to that have any to NULL, marking them `reason`. Rows changed. */
  clearBodies(from: number, to: number, reason: "expired" | "max_size"): Promise<number>;
  /** Gives free space back to the file system (SQLite: incremental vacuum); bytes given back. */
  compact(): Promise<number>;
  /**
   * Postgres: creates the day partitions from `from` to `ahead` and drops those wholly before `before`, each
   * after folding its key spend by local day (`dayOf`). Absent on SQLite.
   */
  partitions?(o: { from: number; ahead: number; before: number; dayOf: (t: number) => { start: number; end: number } }): Promise<{ created: number; dropped: number; rowsDropped: number }>;
  /**
   * Postgres' size cap: deleted rows' space is reused, not returned, so it drops the oldest whole day
   * partition (never the one `keepFrom` falls in) after folding it; rows dropped, null when none. Absent on SQLite.
   */
  dropOldestDay?(keepFrom: number, dayOf: (t: number) => { start: number; end: number }): Promise<number | null>;
}

export interface Store {
  readonly kind: "sqlite" | "postgres";
  /** The request log's retention steps (retention.ts). */
  readonly retention: LogRetentionStore;
  readonly location: string;
  /** Present on Postgres: config version + notifications, node heartbeats, shared meta. */
  readonly cluster?: ClusterStore;
  /** Present on Postgres: budget reservations decided by the database. */
  readonly budget?: BudgetStore;
  listUpstreams(): Promise<UpstreamRecord[]>;
  insertUpstream(u: NewUpstream): Promise<UpstreamRecord>;
  updateUpstream(id: number, patch: UpstreamPatch): Promise<UpstreamRecord | null>;
  deleteUpstream(id: number): Promise<boolean>;
  /** Applies deletes, then updates, then inserts, all or nothing; returns the inserted rows. */
  applyUpstreamChanges(changes: UpstreamChanges): Promise<UpstreamRecord[]>;
  /** Writes a batch in one transaction: all rows or none. */
  insertLogs(rows: LogRow[]): Promise<void>;
  /** The hourly rollup of the rows written (rollup.ts), oldest hour first; kept forever. */
  readRollup(q: RollupQuery): Promise<RollupRecord[]>;
  countLogs(): Promise<number>;
  listLogs(limit: number): Promise<LogRow[]>;
  getLog(id: string): Promise<LogRow | null>;
  /** Newest first. */
  queryLogs(q: LogQuery): Promise<LogSummary[]>;
  /** Ids ending in `suffix` (listings show the last 12 characters), at most `limit`. */
  findLogIds(suffix: string, limit: number): Promise<string[]>;
  /** Persisted RPM/RPD/TPM counters (limits.ts snapshots), so limits survive a restart. */
  loadLimitCounters(): Promise<{ upstreamId: number; snapshot: unknown }[]>;
  /** Upserts `rows` and deletes the counters of `deletes` (removed upstreams), in one transaction. */
  saveLimitCounters(rows: { upstreamId: number; snapshot: unknown }[], deletes: number[]): Promise<void>;
  listKeys(): Promise<ClientKeyRecord[]>;
  insertKey(k: NewClientKey): Promise<ClientKeyRecord>;
  updateKey(id: number, patch: ClientKeyPatch): Promise<ClientKeyRecord | null>;
  deleteKey(id: number): Promise<boolean>;
  insertLedger(e: Omit<LedgerEntry, "id">): Promise<LedgerEntry>;
  /** Oldest first; `since` inclusive (ms). */
  listLedger(keyId: number, since?: number): Promise<LedgerEntry[]>;
  /** Micro-dollars charged to the key since `since`: its rows' costs plus its ledger entries. */
  spendSince(keyId: number, since: number): Promise<number>;
  /** Per key (all keys, or one), since `since` (ms, inclusive; default all time). */
  keyUsage(q: { keyId?: number; since?: number }): Promise<KeyUsage[]>;
  close(): Promise<void>;
}
