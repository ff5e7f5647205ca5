// The top line: the screens with their number keys (the current one highlighted), and where help is.
import { Box, Text } from "ink";
import { displayWidth } from "../format.ts";
import { useTheme } from "../theme.ts";

export const SCREENS = ["Upstreams", "Logs", "Stats", "Keys", "Nodes"] as const;
export type ScreenName = (typeof SCREENS)[number];

export function TabBar({ current, width }: { current: ScreenName; width: number }) {
  const theme = useTheme();
  const right = "? help  q quit";
  const tabs = SCREENS.map((s, i) => ({ s, label: ` ${i + 1} ${s} ` }));
  const used = 6 + tabs.reduce((a, t) => a + displayWidth(t.label), 0);
  const room = width - used;
  return (
    <Box width={width}>
      <Text bold color={theme.fg("title")}>
        Route{" "}
      </Text>
      {tabs.map((t) => (
        <Text key={t.s} inverse={t.s === current} bold={t.s === current} color={t.s === current ? theme.fg("accent") : undefined}>
          {t.label}
        </Text>
      ))}
      {room > displayWidth(right) + 1 ? <Text color={theme.fg("muted")}>{" ".repeat(room - displayWidth(right)) + right}</Text> : null}
    </Box>
  );
}
