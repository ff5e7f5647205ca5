// stats.history (spread into contract.ts's `methods`): the hourly rollup (daemon/store/rollup.ts)
// over a period, as a series of hour or day buckets plus totals and one summary per upstream, model
// or client key. Kept forever, so it is there the moment a client opens, across daemon restarts.
import { z } from "zod";
import { parseDurationMs } from "../duration.ts";

/** "90m", "24h", "7d", "30d": a period ending now. */
export const SPAN_PATTERN = /^(\d{1,4})(m|h|d|w)$/;

/** A period the schema allowed (SPAN_PATTERN), in ms; null otherwise. */
export function parseSpanMs(text: string): number | null {
  return SPAN_PATTERN.test(text.trim()) ? parseDurationMs(text) : null;
}

const percentiles = z.object({ p50: z.number(), p95: z.number(), p99: z.number() }).nullable();

export const historySummarySchema = z.object({
  requests: z.number(),
  errors: z.number(),
  errorRate: z.number().nullable(), // errors / requests; null: no requests
  /** Failed requests by class: timeout, connect, limited, stream, client, other; and by status 4xx / 5xx. */
  errorsByClass: z.record(z.string(), z.number()),
  tokens: z.object({ prompt: z.number(), completion: z.number(), cached: z.number(), cacheWrite: z.number(), reasoning: z.number() }),
  costMicros: z.number(),
  unpriced: z.number(), // requests without a known price (not in costMicros)
  latencyMs: percentiles, // total time; from log-scale histograms, within ~19 %
  ttftMs: percentiles,
});

export const historySchema = z.object({
  since: z.number(), // the first bucket's start (ms)
  until: z.number(),
  bucket: z.enum(["hour", "day"]), // days are UTC days
  series: z.array(historySummarySchema.extend({ start: z.number() })), // every bucket, empty ones included
  totals: historySummarySchema,
  by: z.enum(["upstream", "model", "key"]),
  groups: z.array(historySummarySchema.extend({ name: z.string() })), // most requests first
});

export const historyMethods = {
  "stats.history": {
    params: z.strictObject({
      since: z.union([z.number().int().nonnegative(), z.string().regex(SPAN_PATTERN, { message: 'must be ms since the epoch or a span such as "24h", "7d", "30d"' })]),
      until: z.number().int().nonnegative().optional(),
      bucket: z.enum(["hour", "day"]).optional(), // default hour
      by: z.enum(["upstream", "model", "key"]).optional(), // default upstream
      upstream: z.string().min(1).max(200).optional(), // the label as logged
      model: z.string().min(1).max(200).optional(),
      key: z.union([z.number().int().nonnegative(), z.string().min(1).max(64)]).optional(), // id or name; 0: shared-key traffic
    }),
    result: historySchema,
  },
} as const;

export type HistoryView = z.output<typeof historySchema>;
export type HistorySummaryView = z.output<typeof historySummarySchema>;
