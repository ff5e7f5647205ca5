// How an upstream's name and endpoint are validated, wherever they come from: upstreams.yaml,
// the admin API, the control socket, routectl's arguments. One definition, one set of messages.
import { z } from "zod";
import { credentialProblem } from "./endpoint-policy.ts";

export const UPSTREAM_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export const upstreamNameSchema = z.string().regex(UPSTREAM_NAME, {
  message: "must be 1-64 characters of letters, digits, '.', '_' or '-', starting with a letter or digit",
});

export const endpointSchema = z
  .string()
  .trim()
  .refine((v) => /^https?:\/\/[^/\s]+/i.test(v) && URL.canParse(v), {
    message: "must be an http(s) URL ending in the API base, such as https://api.openai.com/v1",
  })
  .superRefine((v, ctx) => {
    const problem = credentialProblem(v);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  })
  .transform((v) => v.replace(/\/+$/, ""));

/** An upstream's label where it has no name: used in headers, logs, metrics and tables. */
export const upstreamLabel = (u: { id: number; name: string | null }) => u.name ?? `#${u.id}`;

// Routing settings, shared by the config file (snake_case keys) and the control socket (camelCase).
export const UPSTREAM_TYPES = ["openai", "azure", "anthropic", "gemini"] as const;
export type UpstreamType = (typeof UPSTREAM_TYPES)[number];
export const limitSchema = z.number().int().min(-1, { message: "must be -1 (unlimited), 0 (never used) or a positive whole number" });
export const modelListSchema = z.array(z.string().trim().min(1, { message: "must not be empty" }), { message: "must be a list of model names (globs such as gpt-4o* allowed)" });
export const modelMappingSchema = z.record(z.string().min(1), z.string().trim().min(1), { message: "must map requested model names to this upstream's names" });
export const weightSchema = z.number().min(0, { message: "must be 0 or more" });
export const prioritySchema = z.number().int({ message: "must be a whole number (higher tiers are tried first)" });
export const maxInflightSchema = z.number().int().positive({ message: "must be a positive whole number" });
// Headers Route sets itself or that would break the request cannot be overridden.
const RESERVED_HEADERS = new Set(["host", "content-length", "transfer-encoding", "connection", "authorization", "api-key"]);
export const extraHeadersSchema = z
  .record(z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, { message: "must be a header name" }), z.string())
  .superRefine((h, ctx) => {
    for (const k of Object.keys(h)) if (RESERVED_HEADERS.has(k.toLowerCase())) ctx.addIssue({ code: "custom", path: [k], message: "is set by Route; it cannot be overridden" });
  });
// one-api's channel groups: a client key may be limited to some groups (absent: ["default"]).
export const GROUP_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const DEFAULT_GROUPS: readonly string[] = Object.freeze(["default"]);
export const groupListSchema = z
  .array(z.string().regex(GROUP_NAME, { message: "must be a group name: 1-64 letters, digits, '.', '_' or '-'" }), { message: "must be a list of group names, such as [default, vip]" })
  .min(1, { message: "must name at least one group (leave it out for [default])" })
  .max(64)
  .transform((g) => [...new Set(g)]);
// Prices in USD per million tokens; cache_read and cache_write default to input.
const usdPerMTok = z.number({ message: "must be a price in USD per million tokens" }).min(0, { message: "must be 0 or more (USD per million tokens)" }).max(1_000_000);
export const priceSpecSchema = z.strictObject(
  { input: usdPerMTok, output: usdPerMTok, cache_read: usdPerMTok.optional(), cache_write: usdPerMTok.optional() },
  { message: "must be a price such as { input: 2.5, output: 10, cache_read: 1.25, cache_write: 3.75 } (USD per million tokens)" },
);
/** Model name or glob → price; the first matching entry (file order) wins. */
export const priceTableSchema = z.record(z.string().trim().min(1), priceSpecSchema, { message: "must map model names or globs to prices, such as \"gpt-4o*\": { input: 2.5, output: 10 }" });
export type PriceSpec = z.infer<typeof priceSpecSchema>;
export type PriceTable = Record<string, PriceSpec>;
// Whether the upstream serves POST /v1/responses itself; when not, Route translates to Chat Completions.
export const responsesSchema = z.boolean({ message: "must be true (it serves the Responses API itself) or false (Route translates to Chat Completions)" });
export const apiVersionSchema = z.string().trim().regex(/^[0-9A-Za-z.-]+$/, { message: "must be an Azure api-version such as 2024-10-21" });

/** The routing settings an upstream has when none are given (the daemon's records and the contract's views alike). */
export const ROUTING_DEFAULTS = Object.freeze({
  type: "openai" as UpstreamType,
  apiVersion: null,
  models: null,
  modelMapping: null,
  weight: null,
  priority: null,
  rpm: null,
  rpd: null,
  tpm: null,
  stallTimeoutMs: null,
  streamTimeoutAuto: false,
  maxInflight: null,
  headers: null,
  groups: null,
  prices: null,
  responses: null,
});

