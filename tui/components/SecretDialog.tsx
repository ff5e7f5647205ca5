// A new key secret, shown once (after create or rotate): on a line of its own, whole (wrapped,
// never cut) so it can be copied. The screen showing it binds the key that closes it and drops it.
import { Box, Text } from "ink";
import { wrap } from "../format.ts";
import { hint } from "../keymap.ts";
import { useTheme } from "../theme.ts";

export interface Secret {
  title: string;
  secret: string;
  /** What else to know, e.g. how long the old secret keeps working. */
  info?: string;
}

export function SecretDialog({ shown, width }: { shown: Secret; width: number }) {
  const theme = useTheme();
  return (
    <Box flexDirection="column" width={width}>
      <Text bold color={theme.fg("title")}>{shown.title}</Text>
      <Text> </Text>
      {wrap(shown.secret, width).map((l, i) => (
        <Text key={i} bold color={theme.fg("accent")}>
          {l}
        </Text>
      ))}
      <Text> </Text>
      <Text bold color={theme.fg("warn")}>
        Copy it now; it will not be shown again.
      </Text>
      {shown.info ? <Text wrap="wrap">{shown.info}</Text> : null}
      <Text> </Text>
      <Text color={theme.fg("muted")}>{hint("secret", [["close", "close"]], theme.ascii)}</Text>
    </Box>
  );
}
