import { z } from "zod";
import { parseDurationMs } from "../../shared/duration.ts";
import {
  apiVersionSchema,
  endpointSchema,
  extraHeadersSchema,
  GROUP_NAME,
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
} from "../../shared/upstream-fields.ts";
import { linkLocalProblem } from "../../shared/endpoint-policy.ts";
import { notifySchema } from "../notify/schema.ts";
import { logConfigSchema } from "./log-schema.ts";
import { STRATEGIES } from "../routing/select/types.ts";

export const DEFAULT_TIMEOUT_MS = 60_000;
export const DEFAULT_STREAM_TIMEOUT_MS = 5_000;
export const DEFAULT_STALL_TIMEOUT_MS = 60_000;

const duration = z
  .union([z.number(), z.string()])
  .transform((v, ctx) => {
    const ms = parseDurationMs(v);
    if (ms === null || ms <= 0) {
      ctx.addIssue({ code: "custom", message: `must be a positive duration: seconds (30) or with a unit ("500ms", "5s", "2m"), got ${JSON.stringify(v)}` });
      return z.NEVER;
    }
    return ms;
  });

export { UPSTREAM_NAME } from "../../shared/upstream-fields.ts";
const endpoint = endpointSchema;
const name = upstreamNameSchema;

export const fileUpstreamSchema = z.strictObject({
  name: name.optional(),
  sk: z.string({ message: "is required: the upstream's API key" }).trim().min(1, { message: "must not be empty: the upstream's API key" }),
  endpoint: z.string({ message: "is required: the upstream's API base, such as https://api.openai.com/v1" }).pipe(endpoint),
  timeout: duration.optional(),
  // "auto": derived from the upstream's observed time to first token (see README, Health).
  stream_timeout: z.union([z.literal("auto"), duration]).optional(),
  stall_timeout: duration.optional(),
  enabled: z.boolean({ message: "must be true or false" }).optional(),
  type: z.enum(UPSTREAM_TYPES, { message: "must be openai, azure, anthropic or gemini" }).optional(),
  api_version: apiVersionSchema.optional(),
  models: modelListSchema.optional(),
  model_mapping: modelMappingSchema.optional(),
  weight: weightSchema.optional(),
  priority: prioritySchema.optional(),
  rpm: limitSchema.optional(),
  rpd: limitSchema.optional(),
  tpm: limitSchema.optional(),
  max_inflight: maxInflightSchema.optional(),
  headers: extraHeadersSchema.optional(),
  group: groupListSchema.optional(),
  prices: priceTableSchema.optional(),
  responses: responsesSchema.optional(),
  // Fields Route keeps but does not use yet (imported rpm, rpd, models, modelMapping, …).
  extra: z.record(z.string(), z.unknown(), { message: "must be a mapping of fields Route keeps but does not use yet" }).optional(),
});

const keyList = z
  .union([z.string(), z.array(z.string())])
  .transform((v) => (Array.isArray(v) ? v : v.split(",")).map((k) => k.trim()).filter((k) => k.length > 0));

const timeZone = z.string().refine(
  (tz) => {
    try {
      new Intl.DateTimeFormat("en-US", { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  },
  { message: 'must be an IANA time zone such as "UTC", "Europe/Berlin" or "Asia/Shanghai"' },
);

const healthSchema = z.strictObject({
  /** Attempts remembered per upstream (default 20). */
  window: z.number().int().min(1).max(1000).optional(),
  /** Ejected at this many failures in the window (default 5) … */
  min_failures: z.number().int().min(1).optional(),
  /** … that are also this share of it (default 0.5). */
  failure_ratio: z.number().gt(0).max(1).optional(),
  /** First cooldown (default 10s); doubles with each consecutive ejection … */
  cooldown: duration.optional(),
  /** … up to this (default 5m). */
  max_cooldown: duration.optional(),
});

const onOff = z.enum(["on", "off"], { message: "must be on or off" });
const strategy = z.enum(STRATEGIES, { message: `must be one of ${STRATEGIES.join(", ")}` });

export const configFileSchema = z.strictObject({
  authorization: keyList.optional(),
  /** Key(s) of the HTTP admin API (/admin/*, full /v1/status); unset: /admin/* answers 404. */
  admin_authorization: keyList.optional(),
  /** Key(s) /metrics requires when set; unset: open. */
  metrics_authorization: keyList.optional(),
  /** Client-key names used as metric labels; keys beyond count as "other". Default 100. */
  metrics_max_keys: z.number({ message: "must be a whole number" }).int({ message: "must be a whole number" }).min(0, { message: "must be 0 or more" }).max(10_000, { message: "must be at most 10000" }).optional(),
  /** Link-local or cloud-metadata hosts upstreams may point at anyway (refused by default). */
  allow_link_local: z.array(z.string().trim().min(1), { message: "must be a list of hosts, such as [169.254.10.5]" }).optional(),
  /** How upstreams are ordered for a request; default priority (ordered failover). */
  strategy: strategy.optional(),
  /** Per-model strategy: model name or glob → strategy; the first matching entry wins. */
  strategies: z.record(z.string().min(1), strategy, { message: "must map model names or globs to strategies" }).optional(),
  /** Session affinity (a session's turns go to the upstream that answered it last): on (default) or off. */
  affinity: onOff.optional(),
  /** Per-model affinity: model name or glob → on|off; the first matching entry wins. */
  affinity_models: z.record(z.string().min(1), onOff, { message: "must map model names or globs to on or off" }).optional(),
  /** Idle time after which a session's upstream is forgotten; default 5m (providers' cache lifetime). */
  affinity_ttl: duration.optional(),
  /** Most sessions remembered; the least recently used go first. Default 100000. */
  affinity_max_sessions: z.number().int().positive({ message: "must be a positive whole number" }).max(10_000_000, { message: "must be at most 10000000" }).optional(),
  /** Without any session identity, use a hash of the system prompt and first user message. Default false. */
  affinity_hash_prompt: z.boolean({ message: "must be true or false" }).optional(),
  /** Most upstreams one request tries; default all candidates. */
  max_attempts: z.number().int().positive({ message: "must be a positive whole number" }).optional(),
  /** Overall time budget of one request across its attempts (until commit). */
  deadline: duration.optional(),
  /** Clients may send `Bearer <key>-<upstream id or name>` to use that upstream only. Default false. */
  allow_pinning: z.boolean({ message: "must be true or false" }).optional(),
  /** Every candidate cooling down: try the one that cools down first (default), or refuse with 503. */
  when_all_cooling: z.enum(["try_soonest", "reject"], { message: "must be try_soonest or reject" }).optional(),
  /** Passive health (circuit breaker) thresholds and cooldowns. */
  health: healthSchema.optional(),
  /** Active checks: GET {endpoint}/models to every enabled upstream this often (default: off). */
  health_check_interval: duration.optional(),
  /** Bounds of the adaptive first-token timeout (`stream_timeout: auto`). */
  stream_timeout_min: duration.optional(),
  stream_timeout_max: duration.optional(),
  /** With --redis, while Redis is unreachable: each node enforces its share of every limit (default), no limit, or refuse (503). */
  redis_outage: z.enum(["share", "open", "closed"], { message: "must be share, open or closed" }).optional(),
  /** IANA time zone whose midnight resets the daily limits (rpd); default UTC. */
  timezone: timeZone.optional(),
  timeout: duration.optional(),
  stream_timeout: duration.optional(),
  stall_timeout: duration.optional(),
  notify: notifySchema.optional(),
  /** Request-log retention, size cap and capture (log-schema.ts). */
  log: logConfigSchema.optional(),
  /** Price overrides (USD per million tokens) by model glob, ahead of the built-in table. */
  prices: priceTableSchema.optional(),
  /** Group → cost multiplier for requests an upstream of that group serves. */
  group_ratio: z
    .record(z.string().regex(GROUP_NAME, { message: "must be a group name" }), z.number({ message: "must be a number" }).positive({ message: "must be a multiplier above 0, such as 1.5" }).max(1000), {
      message: "must map group names to multipliers, such as { vip: 1.5 }",
    })
    .optional(),
  /** A model without a known price: allowed (cost unknown) or refused for budgeted keys. */
  unknown_price: z.enum(["allow", "refuse"], { message: "must be allow or refuse" }).optional(),
  /** Output tokens a client key's budget reservation assumes when a request names no max_tokens. */
  reserve_tokens: z.number().int().positive({ message: "must be a positive whole number of tokens" }).max(10_000_000).optional(),
  upstreams: z
    .array(fileUpstreamSchema, { message: "must be a list of upstreams, each with sk and endpoint" })
    .optional()
    .superRefine((list, ctx) => {
      const seen = new Set<string>();
      list?.forEach((u, i) => {
        if (u.name === undefined) return;
        if (seen.has(u.name)) ctx.addIssue({ code: "custom", path: [i, "name"], message: `"${u.name}" is used twice: give each upstream its own name` });
        seen.add(u.name);
      });
    }),
}).superRefine((c, ctx) => {
  c.upstreams?.forEach((u, i) => {
    const problem = linkLocalProblem(u.endpoint, c.allow_link_local);
    if (problem) ctx.addIssue({ code: "custom", path: ["upstreams", i, "endpoint"], message: problem });
  });
});

export type FileUpstream = z.infer<typeof fileUpstreamSchema>;
export type ConfigFile = z.infer<typeof configFileSchema>;
