// The runtime's log lines while an upstream is out of rotation under load: a line when it leaves,
// a summary a minute, a line when it is back, never a line per request.
import { expect, test } from "bun:test";
import { createLogger } from "../log.ts";
import { ROUTING_DEFAULTS, type UpstreamRecord } from "../store/types.ts";
import { createPool } from "./pool.ts";
import { createUpstreamRuntime } from "./runtime.ts";

const rec = (id: number): UpstreamRecord => ({
  ...ROUTING_DEFAULTS, id, name: `u${id}`, endpoint: "http://h/v1", sk: "k", timeoutMs: null, streamTimeoutMs: null, enabled: true,
  position: id, source: "runtime", extra: null, createdAt: 0, updatedAt: 0,
});

function setup() {
  let t = 0;
  const lines: string[] = [];
  const pool = createPool({ timeoutMs: 1000, streamTimeoutMs: 1000, stallTimeoutMs: 1000 });
  const runtime = createUpstreamRuntime({ pool, config: {}, now: () => t, log: createLogger("info", (l) => lines.push(l.replace(/^ts=\S+ /, ""))), emit: () => {} });
  const records = [rec(1)];
  pool.set(records);
  runtime.sync(records);
  runtime.checker.configure(undefined);
  const up = pool.all()[0]!;
  return { runtime, up, lines, advance: (ms: number) => (t += ms), stop: () => runtime.stop() };
}

test("out of rotation under load: one line, a summary a minute, one line when back", () => {
  const { runtime, up, lines, advance, stop } = setup();
  for (let i = 0; i < 5; i++) runtime.verdict(up, "http_5xx", 500); // the default policy ejects at 5 failures
  expect(lines).toEqual([expect.stringContaining('level=warn msg="upstream out of rotation" upstream=u1 state=cooling')]);
  // 30 s of load: requests planned around it, and forced trials that fail and re-eject it.
  for (let s = 0; s < 30; s++) {
    advance(1000);
    for (let r = 0; r < 100; r++) runtime.planGate(up);
    runtime.guard.claim(up, { body: null } as never, true);
    runtime.verdict(up, "http_5xx", 500);
  }
  expect(lines.length).toBe(1);
  advance(30_000);
  runtime.planGate(up);
  expect(lines.length).toBe(2);
  expect(lines[1]).toContain('msg="upstream u1 still out of rotation; 3001 requests found it out of rotation, 30 trial requests failed in the last 60 s"');
  advance(400_000); // past the longest cooldown: a trial that succeeds restores it
  runtime.guard.claim(up, { body: null } as never, false);
  runtime.verdict(up, "ok", 200);
  expect(lines.length).toBe(3);
  expect(lines[2]).toContain('level=info msg="upstream back in rotation" upstream=u1 out_for_s=460');
  stop();
});
