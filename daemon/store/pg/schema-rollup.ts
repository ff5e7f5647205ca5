// The hourly rollup of request_logs on Postgres, kept forever (../rollup.ts, and the SQLite table's
// comment): the same columns, histograms as bigint[] so an upsert adds them element by element.
import { bigint, integer, pgTable, primaryKey, text } from "drizzle-orm/pg-core";
import { counterColumns } from "../rollup.ts";

const counter = (name: string) => bigint(name, { mode: "number" }).notNull().default(0);
const hist = (name: string) => bigint(name, { mode: "number" }).array().notNull();

export const logRollup = pgTable(
  "log_rollup",
  {
    hour: bigint("hour", { mode: "number" }).notNull(),
    upstream: text("upstream").notNull(),
    model: text("model").notNull(),
    keyId: integer("key_id").notNull(),
    ...counterColumns(counter),
    latencyHist: hist("latency_hist"),
    ttftHist: hist("ttft_hist"),
  },
  (t) => [primaryKey({ columns: [t.hour, t.upstream, t.model, t.keyId] })],
);
