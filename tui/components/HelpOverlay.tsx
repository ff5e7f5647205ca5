// `?`: every key binding, straight from the keymap (so help cannot drift from what keys do).
import { useMemo } from "react";
import { displayKey, KEYMAP, type Binding } from "../keymap.ts";
import { plain, type StyledLine } from "../styled-line.ts";
import { useTheme } from "../theme.ts";
import { ScrollView } from "./ScrollView.tsx";

export function helpLines(ascii: boolean): StyledLine[] {
  const out: StyledLine[] = [];
  for (const scope of Object.values(KEYMAP)) {
    out.push(plain(scope.title, "title", true));
    for (const b of scope.bindings as Binding[]) out.push(plain(`  ${b.keys.map((k) => displayKey(k, ascii)).join(", ").padEnd(22)} ${b.help}`));
    out.push(plain(""));
  }
  out.push(plain("Flags: --socket PATH, --ascii / --unicode, --no-color (or NO_COLOR), --tail N", "muted"));
  return out;
}

export function HelpOverlay({ width, height, onClose }: { width: number; height: number; onClose: () => void }) {
  const theme = useTheme();
  const lines = useMemo(() => helpLines(theme.ascii), [theme]);
  return <ScrollView title="Keys (? or esc closes)" lines={lines} width={width} height={height} onClose={onClose} />;
}
