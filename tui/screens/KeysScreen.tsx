// Keys: every client key with its spend against its budget, requests today, limits and expiry,
// re-read each stats tick while shown; and every change an operator makes to them. A new secret
// (create, rotate) is shown once in a dialog and dropped when it closes.
import { Box, Text } from "ink";
import { useEffect, useRef, useState } from "react";
import type { KeyView } from "../../shared/rpc/keys-contract.ts";
import type { DaemonClient } from "../client.ts";
import { Form } from "../components/Form.tsx";
import { ListFooter, type Question } from "../components/ListFooter.tsx";
import { ScrollView } from "../components/ScrollView.tsx";
import { SecretDialog, type Secret } from "../components/SecretDialog.tsx";
import { dateTime, displayWidth, layout, pad, row, truncate } from "../format.ts";
import { useActions } from "../hooks/use-actions.ts";
import { useKeys } from "../hooks/use-keys.ts";
import { listBindings, useSelection } from "../hooks/use-selection.ts";
import { errorsFromDaemon, FIELDS, initialValues, validate, type Submit } from "../key-form.ts";
import { bar, KEY_COLS, keyCells, keyDetails, keyStateRole, SPEND_COL, spendShare, spendText } from "../key-rows.ts";
import { hint } from "../keymap.ts";
import { useTheme } from "../theme.ts";

export interface KeysScreenProps {
  client: DaemonClient;
  keys: KeyView[] | null;
  /** Why keys.list failed, if it did (an older routed has no keys.*). */
  error: string | null;
  refresh: () => Promise<void>;
  selectedId: number | null;
  setSelectedId: (id: number | null) => void;
  width: number;
  height: number;
  /** Tells the app a form or question has the keyboard (global keys off). */
  setCapture: (on: boolean) => void;
}

type Mode = "list" | "add" | "edit" | "delete" | "rotate" | "details" | "secret";
const CAPTURING: Mode[] = ["add", "edit", "delete", "rotate", "secret"];
const BAR_MIN = 4;
const BAR_MAX = 10;

export function KeysScreen(p: KeysScreenProps) {
  const theme = useTheme();
  const { client, width, height } = p;
  const [mode, setMode] = useState<Mode>("list");
  const [secret, setSecret] = useState<Secret | null>(null);
  const { notice, say, run } = useActions(p.refresh);
  const list = p.keys ?? [];
  const { index, selected, select } = useSelection(list, p.selectedId, p.setSelectedId);
  const now = Date.now();

  useEffect(() => p.setCapture(CAPTURING.includes(mode)), [mode]);
  useEffect(() => () => p.setCapture(false), []);
  // Takes the keyboard in the same key press that opens the form, not an effect later.
  const open = (m: Mode) => {
    p.setCapture(true);
    setMode(m);
  };
  const reveal = (s: Secret) => {
    setSecret(s);
    open("secret");
  };

  // Bound here, not in the dialog: the dialog opens when routed answers, and a key pressed right
  // after it appears must not be lost to a listener attached only after the frame.
  const current = useRef(mode);
  current.current = mode;
  useKeys("secret", {
    close: () => {
      if (current.current !== "secret") return;
      setSecret(null); // the one copy the TUI had
      setMode("list");
      say("the secret is no longer shown; rotate the key if it was lost");
    },
  });
  useKeys(
    "keys",
    {
      ...listBindings({ index, select, selected }, open, () => setMode("details")),
      rotate: () => selected && open("rotate"),
      toggle: () => {
        if (!selected) return;
        const verb = selected.enabled ? "disable" : "enable";
        void run(`${verb} ${selected.name}`, () => client.call(`keys.${verb}`, { key: selected.id }), (k) => `${verb}d ${k.name}: ${k.standing.state}`);
      },
    },
    mode === "list",
  );

  async function save(s: Submit) {
    if (s.kind === "add") {
      const r = await client.call("keys.add", s.params);
      p.setSelectedId(r.key.id);
      reveal({ title: `Key ${r.key.name} created (id ${r.key.id}). Its secret:`, secret: r.secret });
    } else {
      const k = await client.call("keys.update", s.params);
      setMode("list");
      say(`saved ${k.name}`);
    }
    await p.refresh();
  }
  function rotate(k: KeyView) {
    setMode("list");
    void run(`rotate ${k.name}`, () => client.call("keys.rotate", { key: k.id }), (r) => {
      const until = r.key.rotatedUntil;
      reveal({ title: `Key ${k.name} rotated. Its new secret:`, secret: r.secret, info: until && until > Date.now() ? `The old secret keeps working until ${dateTime(until)} (grace period), then it is refused.` : "The old secret is refused from now on." });
    });
  }

  if (mode === "secret" && secret) return <SecretDialog shown={secret} width={width} />;
  if (mode === "add" || (mode === "edit" && selected)) {
    const editing = mode === "edit" ? selected : undefined;
    return (
      <Form
        key={mode}
        title={editing ? `Edit key ${editing.name} (id ${editing.id}, ${editing.prefix})` : "Create a client key (its secret is shown once)"}
        fields={FIELDS}
        initial={initialValues(editing)}
        check={(v) => validate(v, editing)}
        place={errorsFromDaemon}
        width={width}
        height={height}
        onSubmit={save}
        onCancel={() => setMode("list")}
      />
    );
  }
  if (mode === "details" && selected) {
    return <ScrollView title={`Key ${selected.name}`} lines={keyDetails(selected, now)} width={width} height={height} onClose={() => setMode("list")} />;
  }

  const widths = layout(KEY_COLS, width - 2);
  const rowsRoom = Math.max(1, height - 3);
  const top = Math.max(0, index - rowsRoom + 1); // keeps the selection on screen
  const visible = list.slice(top, top + rowsRoom);
  // One bar width for the whole table, so the bars line up: what the longest spend text leaves
  // (in its compact form when the full one would leave less than BAR_MIN).
  const room = widths[SPEND_COL]!;
  const longest = (compact: boolean) => Math.max(0, ...visible.map((k) => displayWidth(spendText(k, compact))));
  const compact = room - longest(false) - 1 < BAR_MIN;
  const barWidth = Math.max(BAR_MIN, Math.min(BAR_MAX, room - longest(compact) - 1));
  const part = (from: number, to: number, cells: string[]) => row(KEY_COLS.slice(from, to), widths.slice(from, to), cells.slice(from, to), theme.glyph.ellipsis);
  const footer = hint("keys", [["add", "create"], ["edit", "edit"], ["toggle", "on/off"], ["rotate", "rotate"], ["delete", "delete"], ["details", "details"]], theme.ascii, true);
  const ask: Question | null = !selected
    ? null
    : mode === "delete"
      ? {
          question: `Delete key ${selected.name} (${selected.prefix})? It is refused from its next request.`,
          onYes: () => {
            setMode("list");
            void run(`delete ${selected.name}`, () => client.call("keys.remove", { key: selected.id }), (k) => `deleted ${k.name}`);
          },
          onNo: () => setMode("list"),
        }
      : mode === "rotate"
        ? { question: `Rotate key ${selected.name}? A new secret; the old one works for a grace period (1h).`, onYes: () => rotate(selected), onNo: () => setMode("list") }
        : null;
  const empty = p.keys === null ? (p.error ? `keys.list: ${p.error}` : "waiting for routed...") : list.length === 0 ? "No client keys yet: press a to create one." : null;

  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text bold wrap="truncate">{`  ${row(KEY_COLS, widths, KEY_COLS.map((c) => c.header), theme.glyph.ellipsis)}`}</Text>
      <Box flexDirection="column" height={rowsRoom}>
        {empty ? <Text color={theme.fg(p.error ? "error" : "muted")} wrap="truncate">{`  ${empty}`}</Text> : null}
        {visible.map((k) => {
          const isSel = k.id === selected?.id;
          const role = keyStateRole(k.standing.state);
          const cells = keyCells(k, now, compact);
          const spend = spendShare(k);
          const textRoom = spend ? room - barWidth - 1 : room;
          const text = pad(truncate(cells[SPEND_COL]!, textRoom, theme.glyph.ellipsis), textRoom);
          return (
            <Text key={k.id} inverse={isSel} color={role === "ok" ? undefined : theme.fg(role)} wrap="truncate">
              {`${isSel ? theme.glyph.selected : " "} ${part(0, SPEND_COL, cells)} `}
              {spend ? <Text color={theme.fg(spend.role)}>{bar(spend.share, barWidth, theme.glyph.bar)}</Text> : null}
              {`${spend ? " " : ""}${text} ${part(SPEND_COL + 1, KEY_COLS.length, cells)}`}
            </Text>
          );
        })}
      </Box>
      <ListFooter ask={ask} notice={notice} hints={footer} width={width} />
    </Box>
  );
}
