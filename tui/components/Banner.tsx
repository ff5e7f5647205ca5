// The unmissable line shown while routed is unreachable (or draining): what happened, that the
// TUI is reconnecting by itself, and that what is on screen is the last data it had.
import { Text } from "ink";
import { clock, pad, truncate, wrap } from "../format.ts";
import type { Connection } from "../hooks/use-daemon.ts";
import { useTheme } from "../theme.ts";

export function bannerText(conn: Connection, socketPath: string): string | null {
  if (conn.state === "connected") return conn.status?.draining ? "ROUTED IS SHUTTING DOWN (draining in-flight requests)" : null;
  if (conn.state === "closed") return null;
  // Before the first connection the client's own message says why and what to do (wrong path,
  // routed not started, socket of another user); it is worth two lines.
  if (conn.generation === 0) return `NOT CONNECTED, retrying: ${conn.error ?? `connecting to routed at ${socketPath}`}`;
  const since = conn.lostAt ? ` since ${clock(conn.lostAt)}` : "";
  return `ROUTED IS DOWN${since}: reconnecting by itself, last data shown`;
}

/** The banner's lines at this width: at most two. */
export function bannerLines(text: string, width: number, ellipsis: string): string[] {
  const lines = wrap(text, width - 2);
  if (lines.length > 2) lines.splice(1, lines.length - 1, truncate(lines.slice(1).join(" "), width - 2, ellipsis));
  return lines.map((l) => pad(` ${l}`, width));
}

export function Banner({ lines }: { lines: string[] }) {
  const theme = useTheme();
  return (
    <>
      {lines.map((l, i) => (
        <Text key={i} inverse bold color={theme.fg("error")} wrap="truncate">
          {l}
        </Text>
      ))}
    </>
  );
}
