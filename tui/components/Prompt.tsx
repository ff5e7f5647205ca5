// A one-line text prompt at the foot of a screen (the Logs screen's `/` filter).
import { Text, useInput } from "ink";
import { useRef, useState } from "react";
import { truncate } from "../format.ts";
import { actionFor, hint, keyName } from "../keymap.ts";
import { editText, splitKeys } from "../text-edit.ts";
import { useTheme } from "../theme.ts";

export function Prompt({ label, initial, width, onSubmit, onCancel }: { label: string; initial: string; width: number; onSubmit: (v: string) => void; onCancel: () => void }) {
  const theme = useTheme();
  const [value, setValue] = useState(initial);
  const cur = useRef(initial); // keys arriving before a re-render still see the latest text
  useInput((input, key) => {
    let v = cur.current;
    for (const press of splitKeys(input, key)) {
      const action = actionFor("prompt", keyName(press.input, press.key));
      if (action === "submit") return onSubmit(v.trim());
      if (action === "cancel") return onCancel();
      v = action === "clear" ? "" : (editText(v, press.input, press.key, 1000) ?? v);
    }
    cur.current = v;
    setValue(v);
  });
  const keys = hint("prompt", [["submit", "apply"], ["cancel", "cancel"]], theme.ascii);
  const room = Math.max(4, width - label.length - keys.length - 4);
  const shown = value.length > room ? value.slice(value.length - room) : value;
  return (
    <Text wrap="truncate">
      <Text bold color={theme.fg("accent")}>
        {label}
      </Text>
      <Text inverse>{`${shown} `}</Text>
      <Text color={theme.fg("muted")}>{truncate(`  ${keys}`, Math.max(0, width - label.length - shown.length - 1))}</Text>
    </Text>
  );
}
