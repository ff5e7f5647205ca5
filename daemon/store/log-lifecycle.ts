// What happens to request-log rows after the proxy: how much is captured (log.capture, a key's
// log_capture, the disk guard), how long it is kept (the retention job), and what daemon.status,
// routectl status and /health say about it. Settings follow config reloads: read on every use.
import type { ConfigFile } from "../config/schema.ts";
import { windowClock, type WindowClock } from "../keys/window.ts";
import type { Logger } from "../log.ts";
import type { NotifyEvent } from "../notify/events.ts";
import { formatBytes } from "../../shared/size.ts";
import { applyCapture, captureResolver, omitBodies } from "./capture.ts";
import { createDiskGuard, statfsSpace, type DiskGuard, type FreeSpace } from "./disk-guard.ts";
import { createRetention, type RetentionPass } from "./retention.ts";
import { describeRetention, retentionSettings } from "./retention-settings.ts";
import type { LogRow, Store } from "./types.ts";

export interface LogLifecycleOptions {
  store: Store;
  log: Logger;
  now: () => number;
  config: () => ConfigFile;
  emit: (e: NotifyEvent) => void;
  freeSpace?: FreeSpace;
  intervalMs?: number;
  checkMs?: number;
}

export function createLogLifecycle(o: LogLifecycleOptions) {
  // Parsed again only when the config object changes (a reload), not per row.
  let seen: ConfigFile | null = null;
  let cached = retentionSettings(undefined);
  const settings = () => {
    const c = o.config();
    if (c !== seen) (seen = c), (cached = retentionSettings(c.log));
    return cached;
  };
  let clockZone = "";
  let clock: WindowClock | null = null;
  const dayOf = (t: number) => {
    const tz = o.config().timezone ?? "UTC";
    if (tz !== clockZone || !clock) (clockZone = tz), (clock = windowClock(tz));
    const w = clock("day", t);
    return { start: w.start, end: w.end! };
  };
  const resolve = captureResolver();
  const file = o.store.kind === "sqlite" && o.store.location !== ":memory:" ? o.store.location : null;
  const space = o.freeSpace ?? (file ? statfsSpace(file) : null);
  const disk: DiskGuard | null = space
    ? createDiskGuard({
        space,
        settings,
        now: o.now,
        checkMs: o.checkMs,
        onChange(s) {
          const free = `${formatBytes(s.free)} free of ${formatBytes(s.total)}`;
          if (s.low) o.log.warn("the database's disk is nearly full: new request-log rows are stored without bodies until space is back", { free: s.free, total: s.total });
          else o.log.info("the database's disk has space again: request-log rows keep their bodies", { free: s.free, total: s.total });
          o.emit({ type: s.low ? "log_disk_low" : "log_disk_ok", summary: s.low ? `disk nearly full (${free}): request-log rows are stored without bodies; proxying goes on` : `disk space is back (${free}): request-log rows keep their bodies again`, at: Date.now() });
        },
      })
    : null;
  const retention = createRetention({
    store: o.store.retention,
    settings,
    dayOf,
    now: o.now,
    intervalMs: o.intervalMs,
    checkMs: o.checkMs,
    onPass(p: RetentionPass) {
      if (p.error) o.log.warn("request-log retention pass stopped on an error; the next pass goes on", { err: p.error });
      else if (p.rowsDeleted > 0 || p.bodiesCleared > 0) o.log.info("request-log retention pass", { rows_deleted: p.rowsDeleted, bodies_cleared: p.bodiesCleared, bytes_freed: p.bytesFreed, log_bytes: p.logBytes });
    },
  });

  return {
    settings,
    retention,
    disk,
    /** Applies the capture to a built row (the log writer's toRow), then the disk guard's cut. */
    capture(row: LogRow, keyCapture: string | null | undefined): void {
      applyCapture(row, resolve(keyCapture, settings().capture));
      if (disk?.low && row.bodiesOmitted === null) {
        omitBodies(row, "disk_low");
        if (row.bodiesOmitted === "disk_low") disk.countOmitted();
      }
    },
    /** /health's reason while the disk is low; null otherwise. */
    diskLowReason: (): string | null => {
      const s = disk?.state();
      return s?.low ? `the database's disk is nearly full (${formatBytes(s.free)} free of ${formatBytes(s.total)}): request-log rows are stored without bodies` : null;
    },
    status() {
      const d = disk?.state();
      return {
        ...describeRetention(settings()),
        lastPass: retention.last,
        disk: d ? { low: d.low, since: d.since, free: d.free, total: d.total, rowsWithoutBodies: disk!.omitted } : null,
      };
    },
    start(): void {
      o.log.info("request log", describeRetention(settings()));
      disk?.start();
      retention.start();
    },
    async stop(): Promise<void> {
      disk?.stop();
      await retention.stop();
    },
  };
}

export type LogLifecycle = ReturnType<typeof createLogLifecycle>;
