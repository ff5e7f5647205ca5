// Upstreams: the failover order with live numbers, and every change an operator makes to it.
// Each change is one control-socket call; its answer (or refusal) shows on the notice line, and
// the list is re-read so what is shown is what routed has.
import { Box, Text } from "ink";
import { useEffect, useState } from "react";
import type { StatsView, UpstreamView } from "../../shared/rpc/contract.ts";
import type { DaemonClient } from "../client.ts";
import { ListFooter, type Question } from "../components/ListFooter.tsx";
import { ScrollView } from "../components/ScrollView.tsx";
import { UpstreamForm } from "../components/UpstreamForm.tsx";
import { layout, ms, row } from "../format.ts";
import { errText, useActions } from "../hooks/use-actions.ts";
import { useKeys } from "../hooks/use-keys.ts";
import { listBindings, useSelection } from "../hooks/use-selection.ts";
import { hint } from "../keymap.ts";
import { useTheme } from "../theme.ts";
import type { Submit } from "../upstream-form.ts";
import { currentState, stateWord, UPSTREAM_COLS, upstreamCells, upstreamDetails } from "../upstream-rows.ts";

export interface UpstreamsScreenProps {
  client: DaemonClient;
  upstreams: UpstreamView[] | null;
  setUpstreams: (u: UpstreamView[]) => void;
  refresh: () => Promise<void>;
  stats: StatsView | null;
  selectedId: number | null;
  setSelectedId: (id: number | null) => void;
  width: number;
  height: number;
  active: boolean;
  /** Tells the app a form or question has the keyboard (global keys off). */
  setCapture: (on: boolean) => void;
}

type Mode = "list" | "add" | "edit" | "delete" | "details";

export function UpstreamsScreen(p: UpstreamsScreenProps) {
  const theme = useTheme();
  const { client, width, height } = p;
  const [mode, setMode] = useState<Mode>("list");
  const { notice, say, run } = useActions(p.refresh);
  const list = p.upstreams ?? [];
  const { index, selected, select } = useSelection(list, p.selectedId, p.setSelectedId);
  const live = new Map((p.stats?.upstreams ?? []).map((s) => [s.id, s]));

  useEffect(() => p.setCapture(mode === "add" || mode === "edit" || mode === "delete"), [mode]);
  useEffect(() => {
    if (!list.length && mode !== "add") setMode("list");
  }, [p.upstreams]);

  // Takes the keyboard in the same key press that opens the form, not an effect later.
  const open = (m: Mode) => {
    p.setCapture(true);
    setMode(m);
  };
  const move = (by: number) => {
    if (!selected) return;
    const position = selected.position + by;
    if (position < 1 || position > list.length) return;
    p.setSelectedId(selected.id); // the selection follows the upstream to its new place
    void run(`move ${selected.label}`, () => client.call("upstreams.move", { upstream: selected.id, position }), (r) => {
      p.setUpstreams(r.upstreams);
      return `moved ${selected.label} to position ${position}`;
    });
  };

  useKeys(
    "upstreams",
    {
      ...listBindings({ index, select, selected }, open, () => setMode("details")),
      moveDown: () => move(1),
      moveUp: () => move(-1),
      toggle: () => {
        if (!selected) return;
        const verb = selected.enabled ? "disable" : "enable";
        void run(`${verb} ${selected.label}`, () => client.call(`upstreams.${verb}`, { upstream: selected.id }), (u) => {
          p.setUpstreams(list.map((x) => (x.id === u.id ? u : x))); // the row and the notice change together
          return `${verb}d ${u.label}: ${stateWord(u.state)[0]}`;
        });
      },
      test: () => {
        if (!selected) return;
        const u = selected;
        say(`testing ${u.label}: GET ${u.endpoint}/models ...`, "warn");
        client.call("upstreams.test", { upstream: u.id }).then(
          (t) => say(`${u.label}: ${t.ok ? "ok" : "FAILED"} ${t.status ?? "no answer"} in ${ms(t.latencyMs)}${t.models !== null ? `, ${t.models} models` : ""}${t.error ? ` - ${t.error}` : ""}`, t.ok ? "ok" : "error"),
          (err) => say(`test ${u.label}: ${errText(err)}`, "error"),
        );
      },
    },
    p.active && mode === "list",
  );

  async function save(s: Submit) {
    const u = s.kind === "add" ? await client.call("upstreams.add", s.params) : await client.call("upstreams.update", s.params);
    await p.refresh();
    setMode("list");
    p.setSelectedId(u.id);
    say(s.kind === "add" ? `added ${u.label} (id ${u.id}) at position ${u.position}` : `saved ${u.label}`);
  }

  if (mode === "add" || (mode === "edit" && selected)) {
    return <UpstreamForm key={mode} editing={mode === "edit" ? selected : undefined} width={width} onSubmit={save} onCancel={() => setMode("list")} />;
  }
  if (mode === "details" && selected) {
    return <ScrollView title={`Upstream ${selected.label}`} lines={upstreamDetails(selected, live.get(selected.id))} width={width} height={height} onClose={() => setMode("list")} active={p.active} />;
  }

  const widths = layout(UPSTREAM_COLS, width - 2);
  const rowsRoom = Math.max(1, height - 3);
  const top = Math.max(0, index - rowsRoom + 1); // keeps the selection on screen
  const visible = list.slice(top, top + rowsRoom);
  const footer = hint("upstreams", [["add", "add"], ["edit", "edit"], ["toggle", "on/off"], ["moveDown", "down"], ["moveUp", "up"], ["delete", "delete"], ["test", "test"], ["details", "details"]], theme.ascii, true);

  const ask: Question | null =
    mode === "delete" && selected
      ? {
          question: `Delete upstream ${selected.label} (position ${selected.position}, ${selected.endpoint})?`,
          onYes: () => {
            setMode("list");
            void run(`delete ${selected.label}`, () => client.call("upstreams.remove", { upstream: selected.id }), (u) => `deleted ${u.label}`);
          },
          onNo: () => setMode("list"),
        }
      : null;

  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text bold wrap="truncate">{`  ${row(UPSTREAM_COLS, widths, UPSTREAM_COLS.map((c) => c.header))}`}</Text>
      <Box flexDirection="column" height={rowsRoom}>
        {p.upstreams === null ? <Text color={theme.fg("muted")}>  waiting for routed...</Text> : null}
        {p.upstreams?.length === 0 ? <Text color={theme.fg("muted")}>  No upstreams yet: press a to add one.</Text> : null}
        {visible.map((u) => {
          const isSel = u.id === selected?.id;
          const [, role] = stateWord(currentState(u, live.get(u.id)));
          return (
            <Text key={u.id} inverse={isSel} color={role === "ok" ? undefined : theme.fg(role)} wrap="truncate">
              {`${isSel ? theme.glyph.selected : " "} ${row(UPSTREAM_COLS, widths, upstreamCells(u, live.get(u.id)), theme.glyph.ellipsis)}`}
            </Text>
          );
        })}
      </Box>
      <ListFooter ask={ask} notice={notice} hints={footer} width={width} />
    </Box>
  );
}
