// The Stats screen's history lines: requests per hour over the last 24 h and per day over the last
// 30 d (the rollup routed keeps), each scaled to its max, with the period's totals.
import { Text } from "ink";
import type { HistoryView } from "../../shared/rpc/history-contract.ts";
import { count, ms, pct, truncate, usd } from "../format.ts";
import type { LongHistory } from "../hooks/use-history.ts";
import { sparkline } from "../stats-history.ts";
import { useTheme } from "../theme.ts";

export const HISTORY_LINES = 3;

function Series({ label, h, width }: { label: string; h: HistoryView; width: number }) {
  const theme = useTheme();
  const values = h.series.map((b) => b.requests);
  const t = h.totals;
  const tail = ` ${count(t.requests)} req  err ${pct(t.errorRate)}  ${usd(t.costMicros)}  p95 ${ms(t.latencyMs?.p95)}`;
  const spark = sparkline(values.slice(-Math.max(1, width - label.length - tail.length - 4)), theme.glyph.spark);
  return (
    <Text wrap="truncate">
      <Text color={theme.fg("muted")}>{`  ${label}`}</Text>
      <Text color={theme.fg(t.errors > 0 && t.errorRate! > 0.05 ? "warn" : "ok")}>{spark}</Text>
      <Text color={theme.fg("muted")}>{truncate(tail, Math.max(0, width - label.length - spark.length - 2), theme.glyph.ellipsis)}</Text>
    </Text>
  );
}

export function HistoryPanel({ history, width }: { history: LongHistory; width: number }) {
  const theme = useTheme();
  if (!history.day || !history.month) {
    return (
      <>
        <Text color={theme.fg("muted")}>history: loading from routed...</Text>
        <Text> </Text>
        <Text> </Text>
      </>
    );
  }
  return (
    <>
      <Text color={theme.fg("muted")} wrap="truncate">
        {truncate("history (requests; kept across restarts):", width, theme.glyph.ellipsis)}
      </Text>
      <Series label="24h by hour " h={history.day} width={width} />
      <Series label="30d by day  " h={history.month} width={width} />
    </>
  );
}
