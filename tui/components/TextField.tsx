// One labelled input line of a form (or the filter prompt), with a hint or an error below it.
// Secrets are shown as one mask character per typed character; long values show their end, where
// the typing happens.
import { Box, Text } from "ink";
import { displayWidth, pad, truncate } from "../format.ts";
import { useTheme } from "../theme.ts";

export interface TextFieldProps {
  label: string;
  labelWidth: number;
  value: string;
  width: number;
  focused: boolean;
  secret?: boolean;
  placeholder?: string;
  /** Shown under the field: the error when there is one, else the hint. */
  hint?: string;
  error?: string;
}

function tail(s: string, width: number): string {
  let out = "";
  for (const ch of Array.from(s).reverse()) {
    if (displayWidth(ch + out) > width) break;
    out = ch + out;
  }
  return out;
}

export function TextField({ label, labelWidth, value, width, focused, secret, placeholder, hint, error }: TextFieldProps) {
  const theme = useTheme();
  const boxWidth = Math.max(8, width - labelWidth - 2);
  const shown = secret ? (theme.ascii ? "*" : "•").repeat(Array.from(value).length) : value;
  const visible = tail(shown, boxWidth - 1);
  const marker = focused ? theme.glyph.selected : " ";
  const under = error ?? hint;
  return (
    <Box flexDirection="column">
      <Text wrap="truncate">
        <Text color={focused ? theme.fg("accent") : undefined} bold={focused}>
          {`${marker} ${pad(truncate(label, labelWidth - 2), labelWidth - 2)}`}
        </Text>
        <Text underline={!focused} inverse={focused}>
          {visible.length === 0 && placeholder ? pad(truncate(placeholder, boxWidth), boxWidth) : pad(visible, boxWidth)}
        </Text>
      </Text>
      <Text color={theme.fg(error ? "error" : "muted")} wrap="truncate">
        {" ".repeat(labelWidth) + truncate(under ?? "", boxWidth, theme.glyph.ellipsis)}
      </Text>
    </Box>
  );
}
