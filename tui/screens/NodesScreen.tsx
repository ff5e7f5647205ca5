// Nodes: the routed processes sharing this one's database, from their heartbeats: address, version,
// uptime, requests in flight, the age of the last beat (on the database's clock, as routed judges
// it), live or stale, and each node's requests and 5xx errors over its last minute. On SQLite, this
// node alone. Read-only: nothing here changes a node.
import { Box, Text } from "ink";
import type { NodeView } from "../../shared/rpc/cluster-contract.ts";
import { count, duration, layout, ms, row, truncate, type Col } from "../format.ts";
import { useTheme } from "../theme.ts";

export interface NodesScreenProps {
  nodes: NodeView[] | null;
  clustered: boolean;
  error: string | null;
  width: number;
  height: number;
}

// 76 cells at the least: fits 80 columns. REQ and 5XX are over the node's last minute.
const COLS: Col[] = [
  { header: "ID", width: 20, grow: 1 },
  { header: "ADDRESS", width: 13, grow: 2 },
  { header: "VERSION", width: 7 },
  { header: "UP", width: 6, align: "right" },
  { header: "INFL", width: 4, align: "right" },
  { header: "BEAT", width: 5, align: "right" },
  { header: "STATE", width: 5 },
  { header: "REQ", width: 5, align: "right" },
  { header: "5XX", width: 3, align: "right" },
];

export function NodesScreen({ nodes, clustered, error, width, height }: NodesScreenProps) {
  const theme = useTheme();
  const e = theme.glyph.ellipsis;
  if (!nodes) {
    return <Text color={theme.fg(error ? "error" : "muted")}>{error ?? "reading the nodes from routed..."}</Text>;
  }
  const widths = layout(COLS, width);
  const ref = Math.max(...nodes.map((n) => n.beatAt));
  const live = nodes.filter((n) => n.state === "live").length;
  const head = clustered ? `${live} live of ${nodes.length} nodes sharing the database (stale: no heartbeat for 3 intervals)` : "one node: the database is not shared (SQLite)";
  const fit = Math.max(1, height - 3);
  const shown = nodes.slice(0, fit);
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text bold wrap="truncate">
        {truncate(head, width, e)}
      </Text>
      <Text color={theme.fg("muted")} wrap="truncate">
        {row(COLS, widths, COLS.map((c) => c.header), e)}
      </Text>
      {shown.map((n) => {
        const s = n.stats;
        const cells = [`${n.id}${n.self ? " *" : ""}`, n.address, n.version, duration((n.beatAt - n.startedAt) / 1000), String(n.inflight), ms(ref - n.beatAt), n.state, s ? count(s.requests) : "-", s ? count(s.errors) : "-"];
        return (
          <Text key={n.id} color={n.state === "stale" ? theme.fg("error") : n.self ? theme.fg("accent") : undefined} wrap="truncate">
            {row(COLS, widths, cells, e)}
          </Text>
        );
      })}
      {nodes.length > fit ? <Text color={theme.fg("muted")}>{`${e} ${nodes.length - fit} more (routectl nodes lists them all)`}</Text> : null}
    </Box>
  );
}
