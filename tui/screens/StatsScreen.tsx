// Stats: totals over routed's window, the long history (24 h by hour, 30 d by day), then per upstream (failover order) its numbers now and
// sparklines of requests/s, p50 latency and error rate over the chosen span, with errors by class.
// Each sparkline is scaled to its own maximum, printed at its end, so small traffic still shows.
import { Box, Text } from "ink";
import { useState } from "react";
import type { StatsView } from "../../shared/rpc/contract.ts";
import { HISTORY_LINES, HistoryPanel } from "../components/HistoryPanel.tsx";
import { count, ms, pct, rate, truncate } from "../format.ts";
import type { LongHistory } from "../hooks/use-history.ts";
import { useKeys } from "../hooks/use-keys.ts";
import { hint } from "../keymap.ts";
import { bucket, sparkline, SPANS_S, type Point, type StatsHistory } from "../stats-history.ts";
import { useTheme } from "../theme.ts";
import { stateWord } from "../upstream-rows.ts";

export interface StatsScreenProps {
  stats: StatsView | null;
  history: StatsHistory;
  /** The rollup's last 24 h and 30 d (stats.history), read when the screen opens. */
  longHistory: LongHistory;
  width: number;
  height: number;
  active: boolean;
}

const BLOCK = 5; // lines per upstream

const SERIES: { label: string; pick: (p: Point) => number | null; fmt: (v: number) => string }[] = [
  { label: "req/s", pick: (p) => p.rps, fmt: rate },
  { label: "p50 latency", pick: (p) => p.latency, fmt: (v) => ms(v) },
  { label: "error rate", pick: (p) => p.errorRate, fmt: pct },
];

export function StatsScreen({ stats, history, longHistory, width, height, active }: StatsScreenProps) {
  const theme = useTheme();
  const [span, setSpan] = useState(SPANS_S[0]!);
  const [first, setFirst] = useState(0);
  const ups = stats?.upstreams ?? [];
  const fit = Math.max(1, Math.floor((height - 3 - HISTORY_LINES) / BLOCK));
  const maxFirst = Math.max(0, ups.length - fit);
  useKeys("stats", { up: () => setFirst((f) => Math.max(0, f - 1)), down: () => setFirst((f) => Math.min(maxFirst, f + 1)), span: () => setSpan((s) => SPANS_S[(SPANS_S.indexOf(s) + 1) % SPANS_S.length]!) }, active);
  if (!active) return null;

  const footer = hint("stats", [["span", "span"], ["up", "scroll"]], theme.ascii);
  if (!stats) {
    return (
      <Box flexDirection="column" height={height}>
        <Text color={theme.fg("muted")}>waiting for the first stats tick from routed...</Text>
      </Box>
    );
  }
  const t = stats.totals;
  const classes = Object.entries(t.statusClasses).sort().map(([k, v]) => `${k} ${count(v)}`).join("  ");
  const sessions = stats.sessions === undefined ? "" : `  ${count(stats.sessions)} sessions`;
  const totals = `last ${stats.windowS}s: ${rate(t.rps)} req/s  ${count(t.requests)} requests  ${t.inflight} in flight${sessions}${classes ? `  ${classes}` : ""}`;
  const labelW = 12;
  const maxW = 8;
  const sparkW = Math.min(span, Math.max(10, width - labelW - maxW - 4)); // a cell is never less than a tick (1 s)
  const spanText = span >= 60 ? `${span / 60} min` : `${span}s`;
  const shown = ups.slice(Math.min(first, maxFirst), Math.min(first, maxFirst) + fit);

  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text bold wrap="truncate">
        {truncate(totals, width, theme.glyph.ellipsis)}
      </Text>
      <HistoryPanel history={longHistory} width={width} />
      <Text color={theme.fg("muted")} wrap="truncate">
        {truncate(`sparklines: the last ${spanText}, ${sparkW} cells (${Math.max(1, Math.round(span / sparkW))}s each); each scaled to its max`, width, theme.glyph.ellipsis)}
      </Text>
      <Box flexDirection="column" height={height - 3 - HISTORY_LINES}>
        {ups.length === 0 ? <Text color={theme.fg("muted")}>No upstreams.</Text> : null}
        {shown.map((u) => {
          const [state, role] = stateWord(u.state);
          const points = history.points(u.id);
          const errors = Object.entries(u.errors).sort((a, b) => b[1] - a[1]);
          const head = `${u.position} ${u.label}  ${state}  ${rate(u.rps)} req/s  err ${pct(u.errorRate)}  p50 ${ms(u.latencyMs?.p50)}  p95 ${ms(u.latencyMs?.p95)}  ttft ${ms(u.ttftMs?.p50)}  in flight ${u.inflight}`;
          return (
            <Box key={u.id} flexDirection="column">
              <Text bold color={theme.fg(role === "ok" ? "accent" : role)} wrap="truncate">
                {truncate(head, width, theme.glyph.ellipsis)}
              </Text>
              {SERIES.map((s) => {
                const values = bucket(points, s.pick, stats.ts, span, sparkW);
                const seen = values.filter((v): v is number => v !== null);
                const max = Math.max(0, ...seen);
                return (
                  <Text key={s.label} wrap="truncate">
                    <Text color={theme.fg("muted")}>{`  ${s.label.padEnd(labelW)}`}</Text>
                    <Text color={theme.fg(s.label === "error rate" && max > 0 ? "error" : "ok")}>{sparkline(values, theme.glyph.spark)}</Text>
                    <Text color={theme.fg("muted")}>{` max ${seen.length ? s.fmt(max) : "-"}`}</Text>
                  </Text>
                );
              })}
              <Text color={theme.fg(errors.length ? "warn" : "muted")} wrap="truncate">
                {truncate(`  errors by class: ${errors.length ? errors.map(([k, v]) => `${k} ${pct(v)}`).join(", ") : "none"}`, width, theme.glyph.ellipsis)}
              </Text>
            </Box>
          );
        })}
      </Box>
      <Text color={theme.fg("muted")} wrap="truncate">
        {truncate(`${footer}${ups.length > fit ? `  (${Math.min(first, maxFirst) + 1}-${Math.min(first, maxFirst) + shown.length} of ${ups.length})` : ""}`, width, theme.glyph.ellipsis)}
      </Text>
    </Box>
  );
}
