// A titled, scrollable page of lines (upstream details, one request in full, help), cut to the
// height it is given; the last line says where you are and how to leave.
import { Box, Text } from "ink";
import { useEffect, useState } from "react";
import { truncate } from "../format.ts";
import { keysOf } from "../keymap.ts";
import { useKeys } from "../hooks/use-keys.ts";
import type { StyledLine } from "../styled-line.ts";
import { useTheme } from "../theme.ts";

export interface ScrollViewProps {
  title: string;
  lines: StyledLine[];
  width: number;
  height: number;
  onClose: () => void;
  active?: boolean;
  /** Extra hint for the footer, e.g. "? close". */
  hint?: string;
}

export function ScrollView({ title, lines, width, height, onClose, active = true, hint }: ScrollViewProps) {
  const theme = useTheme();
  const body = Math.max(1, height - 2);
  const maxTop = Math.max(0, lines.length - body);
  const [top, setTop] = useState(0);
  useEffect(() => setTop((t) => Math.min(t, maxTop)), [maxTop]);
  const go = (t: number) => setTop(Math.max(0, Math.min(maxTop, t)));
  useKeys(
    "view",
    {
      up: () => go(top - 1),
      down: () => go(top + 1),
      pageUp: () => go(top - body),
      pageDown: () => go(top + body),
      first: () => go(0),
      last: () => go(maxTop),
      close: onClose,
    },
    active,
  );
  const shown = lines.slice(top, top + body);
  const where = lines.length > body ? `lines ${top + 1}-${top + shown.length} of ${lines.length}  ` : "";
  const keys = `${where}${keysOf("view", "close")[0]} close${hint ? `  ${hint}` : ""}`;
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text bold color={theme.fg("title")} wrap="truncate">
        {truncate(title, width, theme.glyph.ellipsis)}
      </Text>
      <Box flexDirection="column" height={body}>
        {shown.map((l, i) => (
          <Text key={top + i} color={l.role ? theme.fg(l.role) : undefined} bold={l.bold} wrap="truncate">
            {truncate(l.text, width, theme.glyph.ellipsis) || " "}
          </Text>
        ))}
      </Box>
      <Text color={theme.fg("muted")} wrap="truncate">
        {truncate(keys, width, theme.glyph.ellipsis)}
      </Text>
    </Box>
  );
}
