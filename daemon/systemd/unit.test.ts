// The shipped unit file passes `systemd-analyze verify` (skipped where systemd is not installed).
import { describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { shortTempDir } from "../e2e/control-harness.ts";

const UNIT = join(import.meta.dir, "routed.service");
const analyze = Bun.which("systemd-analyze");

describe("systemd unit", () => {
  test("restart, socket directory and hardening are set", () => {
    const text = readFileSync(UNIT, "utf8");
    for (const line of ["Type=exec", "Restart=on-failure", "RuntimeDirectory=routed", "RuntimeDirectoryMode=0700", "Environment=ROUTE_SOCKET=%t/routed/routed.sock", "NoNewPrivileges=yes", "ProtectSystem=strict", "ExecReload=/bin/kill -HUP $MAINPID", "Environment=BUN_CONFIG_MAX_HTTP_REQUESTS=65535", "Environment=BUN_JSC_forceRAMSize=134217728"]) {
      expect(text).toContain(`\n${line}\n`);
    }
  });

  test.skipIf(!analyze)("systemd-analyze verify accepts it", () => {
    // verify checks that ExecStart exists: point it at an executable that does.
    const unit = join(shortTempDir(), "routed.service");
    writeFileSync(unit, readFileSync(UNIT, "utf8").replace("ExecStart=/usr/local/bin/routed", `ExecStart=${process.execPath}`));
    const r = Bun.spawnSync([analyze!, "verify", unit], { stderr: "pipe", stdout: "pipe" });
    expect(r.stderr.toString()).toBe("");
    expect(r.exitCode).toBe(0);
  });
});
