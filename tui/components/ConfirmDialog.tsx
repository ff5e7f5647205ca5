// A yes/no question on one line, for what cannot be undone (deleting an upstream).
import { Text } from "ink";
import { truncate } from "../format.ts";
import { useKeys } from "../hooks/use-keys.ts";
import { hint } from "../keymap.ts";
import { useTheme } from "../theme.ts";

export function ConfirmDialog({ question, width, onYes, onNo }: { question: string; width: number; onYes: () => void; onNo: () => void }) {
  const theme = useTheme();
  useKeys("confirm", { yes: onYes, no: onNo });
  const keys = hint("confirm", [["yes", "yes"], ["no", "no"]], theme.ascii);
  return (
    <Text inverse bold color={theme.fg("warn")} wrap="truncate">
      {truncate(` ${question}  [${keys}] `, width, theme.glyph.ellipsis)}
    </Text>
  );
}
