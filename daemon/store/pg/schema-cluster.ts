// Tables only a cluster needs: shared meta (the config version), node heartbeats, budget windows.
import { bigint, integer, jsonb, pgTable, primaryKey, text } from "drizzle-orm/pg-core";

const ms = (name: string) => bigint(name, { mode: "number" });

/** Small shared values; `config_version` is bumped with every upstream and key edit. */
export const clusterMeta = pgTable("cluster_meta", {
  key: text("key").primaryKey(),
  value: text("value").notNull(),
});

export const nodes = pgTable("nodes", {
  id: text("id").primaryKey(),
  address: text("address").notNull(),
  version: text("version").notNull(),
  startedAt: ms("started_at").notNull(),
  inflight: integer("inflight").notNull(),
  stats: jsonb("stats"),
  beatAt: ms("beat_at").notNull(), // the database's clock, so nodes' clocks need not agree
});

/**
 * One row per key and budget window: what was spent and what is held by requests in flight. A
 * reservation is one conditional upsert on this row, so the check and the hold cannot be split.
 */
export const budgetWindows = pgTable(
  "budget_windows",
  {
    keyId: integer("key_id").notNull(),
    windowStart: ms("window_start").notNull(),
    spentMicros: ms("spent_micros").notNull(),
    heldMicros: ms("held_micros").notNull(),
  },
  (t) => [primaryKey({ columns: [t.keyId, t.windowStart] })],
);

/** The same holds split by node, so a dead node's holds can be released from the window row. */
export const budgetHolds = pgTable(
  "budget_holds",
  {
    keyId: integer("key_id").notNull(),
    windowStart: ms("window_start").notNull(),
    nodeId: text("node_id").notNull(),
    heldMicros: ms("held_micros").notNull(),
  },
  (t) => [primaryKey({ columns: [t.keyId, t.windowStart, t.nodeId] })],
);
