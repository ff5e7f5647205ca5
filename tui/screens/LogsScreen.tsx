// Logs: the live tail of finished requests, newest at the bottom. The cursor on the newest row
// follows the tail; moving it up holds the view on what you are reading while new requests keep
// arriving below. Pausing freezes the view entirely (new requests are counted, not shown).
// `/` searches instead: routed's full-text index with the same filters, newest at the top, a page
// at a time (moving past the last row asks for the next); Esc goes back to the tail.
import { Box, Text } from "ink";
import { useEffect, useMemo, useRef, useState } from "react";
import type { LogSummaryView } from "../../shared/rpc/contract.ts";
import type { DaemonClient } from "../client.ts";
import { LogDetail } from "../components/LogDetail.tsx";
import { Prompt } from "../components/Prompt.tsx";
import { clock, count, layout, ms, row, truncate, usd, type Col } from "../format.ts";
import { useKeys } from "../hooks/use-keys.ts";
import { useLogSearch } from "../hooks/use-log-search.ts";
import { filterParams, useLogTail, type LogFilter } from "../hooks/use-log-tail.ts";
import { hint } from "../keymap.ts";
import { statusRole } from "../log-record.ts";
import { useTheme } from "../theme.ts";

export interface LogsScreenProps {
  client: DaemonClient;
  generation: number;
  /** Upstream labels in failover order, for the upstream filter. */
  upstreamLabels: string[];
  /** Client key names, for the key filter. */
  keyNames: string[];
  cap: number;
  /** Whether the tail is receiving (the banner says why not). */
  connected: boolean;
  width: number;
  height: number;
  active: boolean;
  setCapture: (on: boolean) => void;
}

const COLS: Col[] = [
  { header: "TIME", width: 8 },
  { header: "ST", width: 3 },
  { header: "UPSTREAM", width: 7, grow: 1 },
  { header: "MODEL", width: 9, grow: 1 },
  { header: "TOTAL", width: 5, align: "right" },
  { header: "TTFT", width: 5, align: "right" },
  { header: "TOKENS", width: 6, align: "right" },
  { header: "REPLY", width: 10, grow: 6 },
];
// The client key and the cost, where they fit beside a readable reply (they are in the request view).
const WIDE_COLS: Col[] = [...COLS.slice(0, -1), { header: "KEY", width: 6, grow: 1 }, { header: "COST", width: 9, align: "right" }, COLS.at(-1)!];
const WIDE = 120;
const STATUSES = [undefined, "2xx", "4xx", "5xx"];
const SINCE: [string | undefined, number][] = [[undefined, 0], ["15m", 900_000], ["1h", 3_600_000], ["24h", 86_400_000], ["7d", 7 * 86_400_000]];

const cells = (e: LogSummaryView, wide: boolean) => [
  clock(e.ts),
  String(e.status),
  e.upstreamName ?? (e.upstreamId === null ? "-" : `#${e.upstreamId}`),
  e.model ?? "-",
  ms(e.totalMs),
  ms(e.ttftMs),
  e.promptTokens === null && e.completionTokens === null ? "-" : `${count(e.promptTokens ?? 0)}/${count(e.completionTokens ?? 0)}`,
  ...(wide ? [e.keyName ?? "-", e.costMicros === null || e.costMicros === undefined ? "-" : usd(e.costMicros)] : []),
  e.replyPreview ?? (e.errorCode ? `(${e.errorCode})` : ""),
];

function cycle<T>(list: T[], current: T): T {
  return list[(list.indexOf(current) + 1) % list.length]!;
}

/** The next "since" of a search, fixed to a time when chosen (so paging does not shift). */
function sinceNext<S extends { since?: string; from?: number }>(s: S): S {
  const [since, ms] = SINCE[(SINCE.findIndex(([l]) => l === s.since) + 1) % SINCE.length]!;
  return { ...s, since, from: since === undefined ? undefined : Date.now() - ms };
}

export function LogsScreen(p: LogsScreenProps) {
  const theme = useTheme();
  const { width, height } = p;
  const [filter, setFilter] = useState<LogFilter>({});
  const tail = useLogTail(p.client, p.generation, filter, p.cap);
  const [paused, setPaused] = useState<{ entries: readonly LogSummaryView[]; received: number } | null>(null);
  const [selectedId, setSelectedId] = useState<string | null>(null); // null: follow the newest
  const [mode, setMode] = useState<"list" | "filter" | "detail">("list");
  const [search, setSearch] = useState<{ words: string; since?: string; from?: number } | null>(null);
  const results = useLogSearch(p.client, search && { ...filterParams(filter), search: search.words, since: search.from });
  const topId = useRef<string | null>(null);

  useEffect(() => p.setCapture(mode === "filter"), [mode]);
  useEffect(() => {
    setPaused(null);
    setSelectedId(null);
  }, [filter, search]);

  const entries = search ? results.entries : (paused?.entries ?? tail.entries);
  // The models seen so far (routed keeps no list of them), for the model filter; a few dozen at most.
  const models = useRef(new Set<string>());
  for (const e of entries) if (e.model && models.current.size < 50) models.current.add(e.model);
  const found = selectedId === null ? -1 : entries.findIndex((e) => e.id === selectedId);
  const following = selectedId === null || found < 0; // search results: the newest, at the top
  const index = following ? (search ? 0 : entries.length - 1) : found;
  const rowsRoom = Math.max(1, height - 4);

  // The view stays where it was (by the id at its top) unless the selection leaves it.
  let top = following ? (search ? 0 : entries.length - rowsRoom) : Math.max(0, entries.findIndex((e) => e.id === topId.current));
  if (index < top) top = index;
  if (index >= top + rowsRoom) top = index - rowsRoom + 1;
  top = Math.max(0, Math.min(top, entries.length - rowsRoom));
  topId.current = entries[top]?.id ?? null;
  const visible = entries.slice(top, top + rowsRoom);

  const select = (i: number) => {
    if (entries.length === 0) return;
    if (search && i > entries.length - 1) results.more(); // past the last row: the next page
    const to = Math.max(0, Math.min(entries.length - 1, i));
    setSelectedId(to === entries.length - 1 && !paused && !search ? null : entries[to]!.id);
  };
  useKeys(
    "logs",
    {
      up: () => select(index - 1),
      down: () => select(index + 1),
      pageUp: () => select(index - rowsRoom),
      pageDown: () => select(index + rowsRoom),
      first: () => select(0),
      last: () => (search ? select(entries.length) : (setPaused(null), setSelectedId(null))),
      pause: () => {
        if (search) return;
        if (paused) {
          setPaused(null);
          setSelectedId(null);
        } else {
          setPaused({ entries: tail.entries, received: tail.received });
          if (selectedId === null && tail.entries.length) setSelectedId(tail.entries.at(-1)!.id);
        }
      },
      search: () => {
        p.setCapture(true); // in this key press: the next key is already text
        setMode("filter");
      },
      filterUpstream: () => setFilter((f) => ({ ...f, upstream: cycle<string | undefined>([undefined, ...p.upstreamLabels], f.upstream) })),
      filterStatus: () => setFilter((f) => ({ ...f, status: cycle(STATUSES, f.status) })),
      filterKey: () => setFilter((f) => ({ ...f, key: cycle<string | undefined>([undefined, ...p.keyNames], f.key) })),
      filterModel: () => setFilter((f) => ({ ...f, model: cycle<string | undefined>([undefined, ...[...models.current].sort()], f.model) })),
      filterSince: () => search && setSearch(sinceNext(search)),
      clearSearch: () => setSearch(null),
      clearFilters: () => setFilter({}),
      open: () => entries[index] && setMode("detail"),
    },
    p.active && mode !== "filter" && mode !== "detail",
  );

  const wide = width >= WIDE;
  const cols = wide ? WIDE_COLS : COLS;
  const widths = useMemo(() => layout(cols, width - 2), [width]);
  if (mode === "detail" && entries[index]) {
    return <LogDetail client={p.client} id={entries[index]!.id} width={width} height={height} onClose={() => setMode("list")} active={p.active} />;
  }

  const filters = [filter.upstream && `upstream ${filter.upstream}`, filter.model && `model ${filter.model}`, filter.status && `status ${filter.status}`, filter.key && `key ${filter.key}`, search?.since && `since ${search.since}`].filter(Boolean).join(", ");
  const newer = paused ? tail.received - paused.received : 0;
  const head = search
    ? `SEARCH "${search.words}"  ${entries.length} found${results.loading ? ", loading…" : results.next ? ", more below" : ""}`
    : `${paused ? `PAUSED (${newer} new)` : !p.connected ? "NOT LIVE (routed is away)" : following ? "LIVE" : "LIVE (holding view)"}  ${entries.length} shown, last ${tail.cap} kept${tail.dropped ? `, ${tail.dropped} older dropped` : ""}`;
  const info = `${head}${filters ? `  filter: ${filters}` : ""}`;
  const footer = search
    ? hint("logs", [["clearSearch", "live tail"], ["search", "search"], ["filterSince", "since"], ["filterUpstream", "upstream"], ["filterStatus", "status"], ["filterModel", "model"], ["filterKey", "key"], ["open", "open"]], theme.ascii)
    : hint("logs", [["pause", "pause"], ["search", "search"], ["filterUpstream", "upstream"], ["filterStatus", "status"], ["filterKey", "key"], ["clearFilters", "clear"], ["open", "open"], ["last", "newest"]], theme.ascii);

  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text color={theme.fg(paused ? "warn" : p.connected ? "accent" : "error")} bold wrap="truncate">
        {truncate(info, width, theme.glyph.ellipsis)}
      </Text>
      <Text bold wrap="truncate">{`  ${row(cols, widths, cols.map((c) => c.header), theme.glyph.ellipsis)}`}</Text>
      <Box flexDirection="column" height={rowsRoom}>
        {entries.length === 0 && !results.loading ? <Text color={theme.fg("muted")}>  {search ? "Nothing found." : `No requests yet${filters ? " matching the filter" : ""}; they appear here as they finish.`}</Text> : null}
        {visible.map((e, i) => {
          const isSel = top + i === index;
          const role = statusRole(e.status);
          return (
            <Text key={e.id} inverse={isSel} color={role ? theme.fg(role) : undefined} wrap="truncate">
              {`${isSel ? theme.glyph.selected : " "} ${row(cols, widths, cells(e, wide), theme.glyph.ellipsis)}`}
            </Text>
          );
        })}
      </Box>
      {mode === "filter" ? (
        <Prompt
          label="search: "
          initial={search?.words ?? ""}
          width={width}
          onSubmit={(v) => {
            setMode("list");
            setSearch(v ? { ...search, words: v } : null);
          }}
          onCancel={() => setMode("list")}
        />
      ) : (
        <Text color={theme.fg("error")} wrap="truncate">
          {truncate((search ? results.error : tail.error) ?? " ", width, theme.glyph.ellipsis)}
        </Text>
      )}
      <Text color={theme.fg("muted")} wrap="truncate">
        {truncate(footer, width, theme.glyph.ellipsis)}
      </Text>
    </Box>
  );
}
