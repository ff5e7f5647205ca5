import { expect, test } from "bun:test";
import { render } from "ink-testing-library";
import type { DaemonStatusView } from "../../shared/rpc/contract.ts";
import { logWarning, StatusBar } from "./StatusBar.tsx";

const status = (extra: Partial<DaemonStatusView> = {}) =>
  ({ version: "0.1.0", protocol: 1, pid: 42, startedAt: 0, uptimeS: 65, addr: "127.0.0.1:8888", db: "./db.sqlite", upstreamsFile: null, socket: "/tmp/s", draining: false, counts: { upstreams: 1, enabled: 1, inflight: 0, logs: 3 }, ...extra }) as DaemonStatusView;
const disk = (low: boolean) => ({ retention: "30d", bodyRetention: "7d", maxSize: "off", capture: "full", minFree: "5%", lastPass: null, disk: { low, since: 0, free: 1, total: 100, rowsWithoutBodies: 0 } });
const conn = (s: DaemonStatusView) => ({ state: "connected" as const, error: null, generation: 1, status: s, statusAt: Date.now(), lostAt: null, restarted: false });

test("the status bar warns, first, when the disk is nearly full or the request log is failing; not otherwise", () => {
  expect(logWarning(status())).toBeNull();
  expect(logWarning(status({ retention: disk(false) } as never))).toBeNull();
  expect(logWarning(status({ retention: disk(true) } as never))).toBe("disk nearly full: new log rows without bodies");
  expect(logWarning(status({ logStore: { state: "failing", since: 0, queuedRows: 12, queuedBytes: 1, lastError: "x" } } as never))).toBe("request log failing: 12 rows queued");
  const inst = render(<StatusBar conn={conn(status({ retention: disk(true) } as never))} socketPath="/tmp/s" now={Date.now()} width={120} />);
  expect(inst.lastFrame()).toContain("connected  disk nearly full: new log rows without bodies");
  inst.unmount();
});
