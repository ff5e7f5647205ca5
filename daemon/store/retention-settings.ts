// The request log's retention settings as the daemon applies them: the `log:` block with its
// defaults filled in, the one-line description printed at start and by `routectl status`, and the
// free-space test that decides when new rows lose their bodies.
import type { LogConfig } from "../config/log-schema.ts";
import { formatCapture, parseCapture, type Capture } from "../../shared/log-capture.ts";
import { formatBytes } from "../../shared/size.ts";

export const DAY_MS = 86_400_000;
export const DEFAULT_RETENTION_MS = 30 * DAY_MS;
export const DEFAULT_BODY_RETENTION_MS = 7 * DAY_MS;
export const DEFAULT_MIN_FREE = { ratio: 0.05 } as const;

export interface RetentionSettings {
  /** null: rows are kept forever. */
  retentionMs: number | null;
  bodyRetentionMs: number | null;
  /** null: no cap. */
  maxBytes: number | null;
  capture: Capture;
  minFree: { ratio: number } | { bytes: number };
}

export function retentionSettings(c: LogConfig | undefined): RetentionSettings {
  return {
    retentionMs: c?.retention === undefined ? DEFAULT_RETENTION_MS : c.retention,
    bodyRetentionMs: c?.body_retention === undefined ? DEFAULT_BODY_RETENTION_MS : c.body_retention,
    maxBytes: c?.max_size ?? null,
    capture: (c?.capture && parseCapture(c.capture)) || { mode: "full" },
    minFree: c?.min_free ?? DEFAULT_MIN_FREE,
  };
}

const days = (ms: number | null) => (ms === null ? "forever" : ms % DAY_MS === 0 ? `${ms / DAY_MS}d` : ms % 3_600_000 === 0 ? `${ms / 3_600_000}h` : `${Math.round(ms / 1000)}s`);

/** What `routectl status` and the start line show (plain values, no secrets). */
export function describeRetention(s: RetentionSettings) {
  return {
    retention: days(s.retentionMs),
    bodyRetention: days(s.bodyRetentionMs),
    maxSize: s.maxBytes === null ? "off" : formatBytes(s.maxBytes),
    capture: formatCapture(s.capture),
    minFree: "ratio" in s.minFree ? `${+(s.minFree.ratio * 100).toFixed(2)}%` : formatBytes(s.minFree.bytes),
  };
}

/** Is the file system too full for bodies? `total`/`free`: bytes of the database's file system. */
export function diskLow(s: RetentionSettings, space: { total: number; free: number }): boolean {
  const need = "ratio" in s.minFree ? s.minFree.ratio * space.total : s.minFree.bytes;
  return space.free < need;
}
