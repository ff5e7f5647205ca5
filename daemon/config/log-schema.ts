// The `log:` block of upstreams.yaml: how long request-log rows and their bodies are kept, a cap on
// the log's size, how much of each request is captured, and the free disk space below which new
// rows are stored without bodies. Hot-reloadable: the retention job reads it on every pass.
import { z } from "zod";
import { parseDurationMs } from "../../shared/duration.ts";
import { captureTextSchema } from "../../shared/log-capture.ts";
import { parseSize } from "../../shared/size.ts";

const isOff = (v: unknown) => v === 0 || v === "0" || v === "off";

/** A duration ("30d", "12h") or 0 / "off": kept forever (null). */
const keepFor = z.union([z.number(), z.string()]).transform((v, ctx) => {
  if (isOff(v)) return null;
  const ms = parseDurationMs(v);
  if (ms === null || ms <= 0) {
    ctx.addIssue({ code: "custom", message: `must be a duration such as "30d" or "12h", or off, got ${JSON.stringify(v)}` });
    return z.NEVER;
  }
  return ms;
});

/** A size ("2GiB", "500MB") or 0 / "off": no cap (null). */
const sizeOrOff = z.union([z.number(), z.string()]).transform((v, ctx) => {
  if (isOff(v)) return null;
  const n = typeof v === "number" ? v : parseSize(v);
  if (n === null || !Number.isInteger(n) || n <= 0) {
    ctx.addIssue({ code: "custom", message: `must be a size such as "2GiB" or "500MB", or off, got ${JSON.stringify(v)}` });
    return z.NEVER;
  }
  return n;
});

/** "5%" of the file system, or a size ("1GiB"). */
const freeSpace = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const pct = typeof v === "string" ? /^(\d+(?:\.\d+)?)\s*%$/.exec(v.trim()) : null;
  if (pct && Number(pct[1]) < 100) return { ratio: Number(pct[1]) / 100 };
  const n = typeof v === "number" ? v : pct ? null : parseSize(v);
  if (n === null || !Number.isInteger(n) || n < 0) {
    ctx.addIssue({ code: "custom", message: `must be a share of the disk such as "5%" or a size such as "1GiB", got ${JSON.stringify(v)}` });
    return z.NEVER;
  }
  return { bytes: n };
});

export const logConfigSchema = z.strictObject({
  /** Rows older than this are deleted (default 30d). */
  retention: keepFor.optional(),
  /** Request and reply bodies older than this are cleared; the row stays (default 7d). */
  body_retention: keepFor.optional(),
  /** Cap on the log's size in the database: oldest bodies go first, then oldest rows (default off). */
  max_size: sizeOrOff.optional(),
  /** full (default), truncate:<size> or metadata. */
  capture: captureTextSchema.optional(),
  /** Free space on the database's file system below which new rows are stored without bodies (default 5%). */
  min_free: freeSpace.optional(),
});

export type LogConfig = z.infer<typeof logConfigSchema>;
