// The two bottom lines of a list screen: a pending yes/no question, else the notice of the last
// action; then the screen's key hints.
import { Text } from "ink";
import { truncate } from "../format.ts";
import type { Notice } from "../hooks/use-actions.ts";
import { useTheme } from "../theme.ts";
import { ConfirmDialog } from "./ConfirmDialog.tsx";

export interface Question {
  question: string;
  onYes: () => void;
  onNo: () => void;
}

export function ListFooter({ ask, notice, hints, width }: { ask: Question | null; notice: Notice | null; hints: string; width: number }) {
  const theme = useTheme();
  return (
    <>
      {ask ? (
        <ConfirmDialog question={ask.question} width={width} onYes={ask.onYes} onNo={ask.onNo} />
      ) : (
        <Text color={theme.fg(notice?.role ?? "muted")} wrap="truncate">
          {truncate(notice?.text ?? " ", width, theme.glyph.ellipsis)}
        </Text>
      )}
      <Text color={theme.fg("muted")} wrap="truncate">
        {truncate(hints, width, theme.glyph.ellipsis)}
      </Text>
    </>
  );
}
