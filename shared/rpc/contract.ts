// The control socket's contract: every method's name, params schema and result schema, and the
// notifications subscriptions deliver. routed validates params with these schemas; routectl and
// route-tui parse results with them. Params are strict (a misspelt field is an error); results
// are not, so an older client ignores fields a newer daemon adds.
import { z } from "zod";
import {
  apiVersionSchema,
  endpointSchema,
  extraHeadersSchema,
  groupListSchema,
  limitSchema,
  maxInflightSchema,
  modelListSchema,
  modelMappingSchema,
  prioritySchema,
  priceTableSchema,
  responsesSchema,
  UPSTREAM_TYPES,
  upstreamNameSchema,
  weightSchema,
} from "../upstream-fields.ts";

import { clusterMethods, clusterStatusSchema } from "./cluster-contract.ts";
import { historyMethods } from "./history-contract.ts";
import { keyMethods } from "./keys-contract.ts";

export const PROTOCOL_VERSION = 1;

const ms = z.number().int().positive().max(86_400_000);
const extra = z.record(z.string(), z.unknown());
const empty = z.strictObject({});

/** An upstream by id (number or digits) or by name. */
export const upstreamRef = z.union([z.number().int().positive(), z.string().trim().min(1).max(64)]);
const byRef = z.strictObject({ upstream: upstreamRef });

/** Routing settings as the socket sees them (the file's snake_case keys in camelCase); null: default. */
const routingFields = {
  type: z.enum(UPSTREAM_TYPES),
  apiVersion: apiVersionSchema.nullable(),
  models: modelListSchema.nullable(),
  modelMapping: modelMappingSchema.nullable(),
  weight: weightSchema.nullable(),
  priority: prioritySchema.nullable(),
  rpm: limitSchema.nullable(),
  rpd: limitSchema.nullable(),
  tpm: limitSchema.nullable(),
  stallTimeoutMs: ms.nullable(),
  streamTimeoutAuto: z.boolean(),
  maxInflight: maxInflightSchema.nullable(),
  headers: extraHeadersSchema.nullable(),
  groups: groupListSchema.nullable(), // null: ["default"]
  prices: priceTableSchema.nullable(),
  responses: responsesSchema.nullable(), // null: true for openai/azure; anthropic/gemini: always false
};
const optionalRouting = Object.fromEntries(Object.entries(routingFields).map(([k, v]) => [k, v.optional()])) as {
  [K in keyof typeof routingFields]: z.ZodOptional<(typeof routingFields)[K]>;
};

/** Requests in the sliding minute and since midnight (the configured time zone), tokens in the minute. */
export const limitUsageSchema = z.object({ rpm: z.number(), rpd: z.number(), tpm: z.number() });
/** Headroom under each configured limit; null: that limit is not set (unlimited). */
export const limitRemainingSchema = z.object({ rpm: z.number().nullable(), rpd: z.number().nullable(), tpm: z.number().nullable() });

/** Passive health (the breaker) of an upstream; `state` of the upstream itself stays up/down/disabled for older clients. */
export const HEALTH_STATES = ["healthy", "cooling", "half_open", "misconfigured", "disabled"] as const;
export const upstreamHealthSchema = z.object({
  state: z.enum(HEALTH_STATES),
  until: z.number().nullable(), // when a cooldown ends (ms since epoch)
  reason: z.string().nullable(), // why it is out of rotation
  ejections: z.number(), // consecutive ejections (each doubles the cooldown)
  streamTimeoutMs: z.number(), // the first-token timeout in force (adaptive with stream_timeout: auto)
});

export const upstreamSchema = z.object({
  id: z.number().int(),
  name: z.string().nullable(),
  label: z.string(), // name, or "#<id>"
  position: z.number().int(), // 1-based failover order
  endpoint: z.string(),
  sk: z.string(), // masked: "****" + the last 4 characters at most
  timeoutMs: z.number().nullable(), // null: the global default
  streamTimeoutMs: z.number().nullable(),
  enabled: z.boolean(),
  source: z.enum(["file", "runtime"]),
  extra: extra.nullable(),
  ...routingFields,
  // Kept as it was for older clients: "down" = out of rotation (cooling, half-open, misconfigured).
  state: z.enum(["up", "down", "disabled"]).nullable(), // null when read from the database directly
  usage: limitUsageSchema.nullable().optional(), // live counters; null when read from the database directly
  remaining: limitRemainingSchema.nullable().optional(),
  health: upstreamHealthSchema.nullable().optional(), // null when read from the database directly
  createdAt: z.number(),
  updatedAt: z.number(),
});

export const upstreamInput = z.strictObject({
  endpoint: endpointSchema,
  sk: z.string().trim().min(1, { message: "must not be empty: the upstream's API key" }),
  name: upstreamNameSchema.optional(),
  timeoutMs: ms.optional(),
  streamTimeoutMs: ms.optional(),
  enabled: z.boolean().optional(),
  extra: extra.optional(),
  ...optionalRouting,
  /** 1-based place in the failover order; default: last. */
  position: z.number().int().min(1).optional(),
});

export const upstreamPatch = z
  .strictObject({
    endpoint: endpointSchema.optional(),
    sk: z.string().trim().min(1).optional(),
    name: upstreamNameSchema.nullable().optional(),
    timeoutMs: ms.nullable().optional(),
    streamTimeoutMs: ms.nullable().optional(),
    enabled: z.boolean().optional(),
    extra: extra.nullable().optional(),
    ...optionalRouting,
  })
  .refine((p) => Object.keys(p).length > 0, { message: "give at least one field to change" });

export const upstreamTestSchema = z.object({
  ok: z.boolean(),
  url: z.string(),
  status: z.number().nullable(),
  latencyMs: z.number(),
  models: z.number().nullable(), // how many models the upstream listed
  error: z.string().nullable(),
});

const logFilter = {
  upstream: upstreamRef.optional(),
  model: z.string().min(1).optional(),
  status: z.union([z.number().int().min(100).max(599), z.string().regex(/^([1-5]xx|\d{3})$/i, { message: 'must be a status such as 502 or a class such as "5xx"' })]).optional(),
  text: z.string().min(1).max(1000).optional(),
  key: z.string().min(1).max(64).optional(), // the client key's name, as logged
};

export const logSummarySchema = z.object({
  id: z.string(),
  ts: z.number(),
  method: z.string(),
  path: z.string(),
  model: z.string().nullable(),
  stream: z.boolean(),
  upstreamId: z.number().nullable(),
  upstreamName: z.string().nullable(),
  status: z.number(),
  ttftMs: z.number().nullable(),
  totalMs: z.number(),
  promptTokens: z.number().nullable(),
  completionTokens: z.number().nullable(),
  errorCode: z.string().nullable(),
  replyPreview: z.string().nullable(), // the reply's first 200 characters
  keyName: z.string().nullable().optional(), // the client key used (null: a shared key)
  costMicros: z.number().nullable().optional(), // integer micro-dollars; null: price unknown
});

export const logRecordSchema = logSummarySchema.omit({ replyPreview: true }).extend({
  clientIp: z.string().nullable(),
  requestBody: z.string().nullable(),
  requestBytes: z.number(),
  requestTruncated: z.boolean(),
  attempts: z.array(z.object({ upstreamId: z.number(), upstream: z.string(), outcome: z.string(), status: z.number().optional(), ms: z.number() })),
  ttfbMs: z.number().nullable(),
  replyText: z.string().nullable(),
  toolCalls: z.array(z.unknown()).nullable(),
  totalTokens: z.number().nullable(),
  tokensEstimated: z.boolean().optional(), // counted locally: the upstream reported no usage
  upstreamModel: z.string().nullable().optional(), // the name sent upstream when a mapping changed it
  plan: z.array(z.string()).nullable().optional(), // the upstreams the request could try, in order
  errorMessage: z.string().nullable(),
  userAgent: z.string().nullable(),
  upstreamRequestId: z.string().nullable().optional(), // the upstream's own request id, for a ticket with the provider
  bodiesDropped: z.boolean().optional(), // the log queue was over its byte bound: bodies not kept
  keyId: z.number().nullable().optional(), // the client key used (null: a shared key)
  keyName: z.string().nullable().optional(),
  costMicros: z.number().nullable().optional(), // integer micro-dollars charged; null: price unknown
  priceSource: z.string().nullable().optional(),
  cachedTokens: z.number().nullable().optional(),
  cacheWriteTokens: z.number().nullable().optional(),
  reasoningTokens: z.number().nullable().optional(),
  affinity: z.boolean().optional(), // session affinity chose the answering upstream
  bodiesOmitted: z.enum(["capture", "disk_low", "expired", "max_size"]).nullable().optional(), // why the bodies are not kept (log.capture, disk nearly full, body retention, size cap)
  replyTruncated: z.boolean().optional(), // log.capture truncate cut the reply
});

const percentiles = z.object({ p50: z.number(), p95: z.number() }).nullable();

export const upstreamStatsSchema = z.object({
  id: z.number(),
  label: z.string(),
  position: z.number(),
  state: z.enum(["up", "down", "disabled"]),
  inflight: z.number(),
  rps: z.number(), // attempts per second sent to this upstream over the window
  attempts: z.number(),
  errorRate: z.number().nullable(), // failed attempts / attempts (429, 5xx, timeouts, connect, reset, stream)
  errors: z.record(z.string(), z.number()), // outcome → share of attempts, e.g. {"timeout": 0.25}
  latencyMs: percentiles, // total time of the requests it answered
  ttftMs: percentiles, // time to first token of the streams it answered
  cachedRatio: z.number().nullable().optional(), // cached prompt tokens / prompt tokens it reported over the window (null: none)
  usage: limitUsageSchema.optional(), // limit counters (rpm, rpd, tpm)
  remaining: limitRemainingSchema.optional(),
  health: upstreamHealthSchema.optional(),
});

export const statsSchema = z.object({
  ts: z.number(),
  windowS: z.number(),
  totals: z.object({ rps: z.number(), requests: z.number(), inflight: z.number(), statusClasses: z.record(z.string(), z.number()) }),
  upstreams: z.array(upstreamStatsSchema),
  sessions: z.number().optional(), // live session-affinity entries, daemon-wide
});

const retentionPassSchema = z.object({ at: z.number(), rowsDeleted: z.number(), bodiesCleared: z.number(), bytesFreed: z.number(), logBytes: z.number(), error: z.string().nullable() });
export const retentionStatusSchema = z.object({
  retention: z.string(),
  bodyRetention: z.string(),
  maxSize: z.string(),
  capture: z.string(),
  minFree: z.string(),
  lastPass: retentionPassSchema.nullable(),
  /** null: the disk cannot be seen (Postgres, an in-memory database). */
  disk: z.object({ low: z.boolean(), since: z.number(), free: z.number(), total: z.number(), rowsWithoutBodies: z.number() }).nullable(),
});
export type RetentionStatusView = z.output<typeof retentionStatusSchema>;

export const daemonStatusSchema = z.object({
  version: z.string(),
  protocol: z.number(),
  pid: z.number(),
  startedAt: z.number(),
  uptimeS: z.number(),
  addr: z.string(),
  db: z.string(),
  upstreamsFile: z.string().nullable(),
  socket: z.string(),
  draining: z.boolean(),
  counts: z.object({ upstreams: z.number(), enabled: z.number(), inflight: z.number(), logs: z.number() }),
  /** The last reload (file watch, SIGHUP, config.reload) that was refused; null once one succeeds. */
  lastReloadError: z.object({ at: z.number(), message: z.string() }).nullable().optional(),
  /** The request-log store: failing since when, with what error, and the backlog held in memory. */
  logStore: z.object({ state: z.enum(["healthy", "failing"]), since: z.number(), queuedRows: z.number(), queuedBytes: z.number(), lastError: z.string().nullable() }).optional(),
  /** Present when several nodes share the database (Postgres). */
  cluster: clusterStatusSchema.optional(),
  /** The request log's retention settings, its last retention pass, and the disk guard (SQLite). */
  retention: retentionStatusSchema.optional(),
});

export const notifyChannelSchema = z.object({
  name: z.string(),
  kind: z.enum(["feishu", "matrix", "webhook"]),
  target: z.string(), // the host messages go to; never the URL's secret parts
  events: z.array(z.string()),
});

export const notifyTestResultSchema = z.object({
  channel: z.string(),
  kind: z.string(),
  ok: z.boolean(),
  status: z.number().nullable(),
  detail: z.string(), // the channel's answer, short
});

const subscription = z.object({ subscription: z.string() });
const unsubscribe = z.strictObject({ subscription: z.string().min(1) });
const upstreamList = z.object({ upstreams: z.array(upstreamSchema) });

export const methods = {
  "daemon.status": { params: empty, result: daemonStatusSchema },
  "upstreams.list": { params: empty, result: upstreamList },
  "upstreams.get": { params: byRef, result: upstreamSchema },
  "upstreams.add": { params: upstreamInput, result: upstreamSchema },
  "upstreams.update": { params: z.strictObject({ upstream: upstreamRef, patch: upstreamPatch }), result: upstreamSchema },
  "upstreams.remove": { params: byRef, result: upstreamSchema },
  /** Reorders: the upstream takes `position` (1-based) and the others shift. Returns the new order. */
  "upstreams.move": { params: z.strictObject({ upstream: upstreamRef, position: z.number().int().min(1) }), result: upstreamList },
  "upstreams.enable": { params: byRef, result: upstreamSchema },
  "upstreams.disable": { params: byRef, result: upstreamSchema },
  /** A real request through that upstream (GET {endpoint}/models); not logged, not failed over. */
  "upstreams.test": { params: byRef, result: upstreamTestSchema },
  "logs.query": {
    params: z.strictObject({
      ...logFilter,
      search: z.string().min(1).max(1000).optional(), // words, all required (full-text index)
      errorCode: z.string().min(1).max(64).optional(),
      stream: z.boolean().optional(),
      minLatencyMs: z.number().int().nonnegative().optional(),
      since: z.number().int().nonnegative().optional(),
      until: z.number().int().nonnegative().optional(),
      before: z.string().min(1).optional(), // paging cursor: the `next` of the previous page
      limit: z.number().int().min(1).max(1000).optional(), // default 50
    }),
    result: z.object({ entries: z.array(logSummarySchema), next: z.string().nullable() }),
  },
  /** `id`: a full id, or its last characters (8 or more) as listings show them. */
  "logs.get": { params: z.strictObject({ id: z.string().min(8).max(64) }), result: logRecordSchema },
  "logs.subscribe": { params: z.strictObject(logFilter), result: subscription },
  "logs.unsubscribe": { params: unsubscribe, result: z.object({ ok: z.boolean() }) },
  "stats.snapshot": { params: empty, result: statsSchema },
  "stats.subscribe": { params: empty, result: subscription },
  "stats.unsubscribe": { params: unsubscribe, result: z.object({ ok: z.boolean() }) },
  "config.reload": {
    params: empty,
    // imported false: a cluster node whose file's upstreams were already imported (by any node).
    result: z.object({ file: z.string().nullable(), found: z.boolean(), added: z.number(), updated: z.number(), removed: z.number(), upstreams: z.number(), imported: z.boolean().optional() }),
  },
  "notify.list": { params: empty, result: z.object({ channels: z.array(notifyChannelSchema) }) },
  /** Sends a test message now (no grouping, no cap) to one channel (by name or kind) or to all. */
  "notify.test": { params: z.strictObject({ channel: z.string().min(1).max(64).optional() }), result: z.object({ results: z.array(notifyTestResultSchema) }) },
  /** Route's YAML for the current upstreams; keys masked (they never leave the daemon in full). */
  "config.export": { params: empty, result: z.object({ yaml: z.string() }) },
  ...keyMethods,
  ...clusterMethods,
  ...historyMethods,
} as const satisfies Record<string, { params: z.ZodType; result: z.ZodType }>;

/** Server → client notifications, each naming the subscription it belongs to. */
export const notifications = {
  "logs.entry": z.object({ subscription: z.string(), entry: logSummarySchema }),
  "stats.tick": z.object({ subscription: z.string(), stats: statsSchema }),
} as const;

/** Which notification each subscribe method starts, and how to stop it. */
export const subscriptions = {
  "logs.subscribe": { notification: "logs.entry", unsubscribe: "logs.unsubscribe" },
  "stats.subscribe": { notification: "stats.tick", unsubscribe: "stats.unsubscribe" },
} as const;

export type MethodName = keyof typeof methods;
export type Params<M extends MethodName> = z.input<(typeof methods)[M]["params"]>;
export type ParsedParams<M extends MethodName> = z.output<(typeof methods)[M]["params"]>;
export type Result<M extends MethodName> = z.output<(typeof methods)[M]["result"]>;
export type NotificationName = keyof typeof notifications;
export type Notification<N extends NotificationName> = z.output<(typeof notifications)[N]>;
export type SubscribeMethod = keyof typeof subscriptions;
export type UpstreamView = z.output<typeof upstreamSchema>;
export type LogSummaryView = z.output<typeof logSummarySchema>;
export type LogRecordView = z.output<typeof logRecordSchema>;
export type StatsView = z.output<typeof statsSchema>;
export type NotifyChannelView = z.output<typeof notifyChannelSchema>;
export type NotifyTestResultView = z.output<typeof notifyTestResultSchema>;
export type DaemonStatusView = z.output<typeof daemonStatusSchema>;

export const isMethod = (name: string): name is MethodName => Object.hasOwn(methods, name);
