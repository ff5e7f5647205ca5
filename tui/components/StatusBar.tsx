// The bottom line: connection state, the socket we talk to, routed's listen address, uptime and
// version; uptime ages with every stats tick, so it stays right without a timer of its own. When the
// request log is in trouble (store failing, disk nearly full: rows kept without bodies) it says so
// first, in the warning colour: routed keeps answering, but the operator should know.
import { Text } from "ink";
import type { DaemonStatusView } from "../../shared/rpc/contract.ts";
import type { ConnectionState } from "../client.ts";
import { clock, duration, truncate } from "../format.ts";
import type { Connection } from "../hooks/use-daemon.ts";
import { useTheme, type Role } from "../theme.ts";

const LABEL: Record<ConnectionState, [string, Role]> = {
  connected: ["connected", "ok"],
  connecting: ["connecting", "warn"],
  disconnected: ["disconnected", "error"],
  closed: ["closed", "muted"],
};

/** What the request log's state asks the operator to notice; null when all is well. */
export function logWarning(s: DaemonStatusView): string | null {
  if (s.retention?.disk?.low) return "disk nearly full: new log rows without bodies";
  if (s.logStore?.state === "failing") return `request log failing: ${s.logStore.queuedRows} rows queued`;
  return null;
}

export function StatusBar({ conn, socketPath, now, width }: { conn: Connection; socketPath: string; now: number; width: number }) {
  const theme = useTheme();
  const [label, role] = LABEL[conn.state];
  const s = conn.status;
  const parts: string[] = [];
  if (conn.state !== "connected" && conn.lostAt) parts.push(`since ${clock(conn.lostAt)}`);
  if (s && conn.state === "connected") parts.push(`up ${duration(s.uptimeS + (now - conn.statusAt) / 1000)}${conn.restarted ? " (restarted)" : ""}`);
  if (s) parts.push(`http ${s.addr}`);
  parts.push(socketPath);
  if (s) parts.push(`routed ${s.version} pid ${s.pid}`);
  const head = `${theme.glyph.bullet} ${label}`;
  const warning = s && conn.state === "connected" ? logWarning(s) : null;
  const warn = warning ? `  ${warning}` : "";
  const rest = truncate(`  ${parts.join(`  ${theme.glyph.sep} `)}`, Math.max(0, width - head.length - warn.length), theme.glyph.ellipsis);
  return (
    <Text wrap="truncate">
      <Text color={theme.fg(role)} bold>
        {head}
      </Text>
      {warn ? (
        <Text color={theme.fg("warn")} bold>
          {warn}
        </Text>
      ) : null}
      <Text color={theme.fg("muted")}>{rest}</Text>
    </Text>
  );
}
