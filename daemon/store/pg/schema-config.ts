// Postgres tables for configuration and money: the same columns as the SQLite schema, in PG types.
// Timestamps are bigint milliseconds (mode "number", as the Store contract has them); JSON settings
// are jsonb (rarely written, read whole on every reload: the driver returns them parsed).
import { bigint, boolean, index, integer, jsonb, pgTable, primaryKey, text } from "drizzle-orm/pg-core";
import { UPSTREAM_TYPES, type PriceTable } from "../../../shared/upstream-fields.ts";

const ms = (name: string) => bigint(name, { mode: "number" });
const micros = ms; // integer micro-dollars: past 2^31 (2 147 USD) they need 64 bits too

export const upstreams = pgTable("upstreams", {
  id: integer("id").primaryKey().generatedByDefaultAsIdentity(),
  name: text("name").unique(),
  endpoint: text("endpoint").notNull(),
  sk: text("sk").notNull(),
  timeoutMs: integer("timeout_ms"),
  streamTimeoutMs: integer("stream_timeout_ms"),
  enabled: boolean("enabled").notNull().default(true),
  position: integer("position").notNull(),
  source: text("source", { enum: ["file", "runtime"] }).notNull(),
  extra: jsonb("extra").$type<Record<string, unknown>>(),
  type: text("type", { enum: UPSTREAM_TYPES }).notNull().default("openai"),
  apiVersion: text("api_version"),
  models: jsonb("models").$type<string[]>(),
  modelMapping: jsonb("model_mapping").$type<Record<string, string>>(),
  weight: integer("weight"),
  priority: integer("priority"),
  rpm: integer("rpm"),
  rpd: integer("rpd"),
  tpm: integer("tpm"),
  stallTimeoutMs: integer("stall_timeout_ms"),
  streamTimeoutAuto: boolean("stream_timeout_auto").notNull().default(false),
  maxInflight: integer("max_inflight"),
  headers: jsonb("headers").$type<Record<string, string>>(),
  groups: jsonb("groups").$type<string[]>(),
  prices: jsonb("prices").$type<PriceTable>(),
  responses: boolean("responses"),
  createdAt: ms("created_at").notNull(),
  updatedAt: ms("updated_at").notNull(),
});

export const clientKeys = pgTable("client_keys", {
  id: integer("id").primaryKey().generatedByDefaultAsIdentity(),
  name: text("name").notNull().unique(),
  prefix: text("prefix").notNull(),
  hash: text("hash").notNull().unique(),
  prevHash: text("prev_hash"),
  prevValidUntil: ms("prev_valid_until"),
  enabled: boolean("enabled").notNull().default(true),
  expiresAt: ms("expires_at"),
  models: jsonb("models").$type<string[]>(),
  groups: jsonb("groups").$type<string[]>(),
  allowIps: jsonb("allow_ips").$type<string[]>(),
  rpm: integer("rpm"),
  rpd: integer("rpd"),
  tpm: integer("tpm"),
  maxInflight: integer("max_inflight"),
  budgetMicros: micros("budget_micros"),
  budgetWindow: text("budget_window", { enum: ["total", "day", "week", "month"] }).notNull().default("total"),
  softBudgetMicros: micros("soft_budget_micros"),
  allowPinning: boolean("allow_pinning").notNull().default(false),
  logCapture: text("log_capture"), // full | metadata | truncate:<bytes>; null: the global log.capture
  note: text("note"),
  createdAt: ms("created_at").notNull(),
  updatedAt: ms("updated_at").notNull(),
});

// Manual adjustments and resets; settlements are the request_logs rows' cost_micros (as on SQLite).
export const keyLedger = pgTable(
  "key_ledger",
  {
    id: integer("id").primaryKey().generatedByDefaultAsIdentity(),
    keyId: integer("key_id").notNull(),
    ts: ms("ts").notNull(),
    kind: text("kind", { enum: ["adjust", "reset"] }).notNull(),
    amountMicros: micros("amount_micros").notNull(),
    note: text("note"),
  },
  (t) => [index("key_ledger_key").on(t.keyId, t.ts)],
);

export const limitCounters = pgTable("limit_counters", {
  upstreamId: integer("upstream_id").primaryKey(),
  snapshot: jsonb("snapshot").notNull().$type<unknown>(),
  updatedAt: ms("updated_at").notNull(),
});

// Spend and usage of request_logs rows the retention job deleted, per key and local day (as on SQLite).
export const keySpendDays = pgTable(
  "key_spend_days",
  {
    keyId: integer("key_id").notNull(),
    dayStart: ms("day_start").notNull(),
    requests: bigint("requests", { mode: "number" }).notNull(),
    promptTokens: bigint("prompt_tokens", { mode: "number" }).notNull(),
    completionTokens: bigint("completion_tokens", { mode: "number" }).notNull(),
    costMicros: micros("cost_micros").notNull(),
    unpriced: bigint("unpriced", { mode: "number" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.keyId, t.dayStart] })],
);
