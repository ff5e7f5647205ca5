// A form of one-line fields (add / edit an upstream or a key). It validates as routed would
// before sending, then shows routed's own refusals under the field they are about; a refusal
// never closes the form or loses what was typed. Taller than the screen, it scrolls with the focus.
import { Box, Text, useInput } from "ink";
import { useRef, useState } from "react";
import { truncate } from "../format.ts";
import type { Field, FormErrors } from "../form-errors.ts";
import { actionFor, hint, keyName } from "../keymap.ts";
import { editText, splitKeys } from "../text-edit.ts";
import { useTheme } from "../theme.ts";
import { TextField } from "./TextField.tsx";

export interface FormProps<F extends string, S> {
  title: string;
  fields: Field<F>[];
  initial: Record<F, string>;
  /** The errors of these values; with none, what to save. */
  check: (values: Record<F, string>) => { errors: FormErrors<F>; submit?: S };
  /** routed's refusal, placed under its field. */
  place: (err: unknown) => FormErrors<F>;
  placeholder?: (id: F) => string | undefined;
  width: number;
  /** Rows available; the fields scroll when they need more. */
  height?: number;
  /** Saves; rejects with routed's error, which the form then shows. */
  onSubmit: (submit: S) => Promise<void>;
  onCancel: () => void;
}

const LABEL_WIDTH = 18;
const FOOTER = (ascii: boolean) => hint("form", [["submit", "save"], ["next", "next"], ["prev", "previous"], ["cancel", "cancel"]], ascii);

export function Form<F extends string, S>(p: FormProps<F, S>) {
  const theme = useTheme();
  const { fields, width } = p;
  const [values, setValues] = useState<Record<F, string>>(p.initial);
  const [focus, setFocus] = useState(0);
  const [errors, setErrors] = useState<FormErrors<F>>({});
  const [saving, setSaving] = useState(false);

  // A mirror of the state, so several presses in one input chunk apply in order.
  const cur = useRef({ values, focus });

  function submit(v: Record<F, string>) {
    const checked = p.check(v);
    setErrors(checked.errors);
    if (checked.submit === undefined) return focusFirstBad(checked.errors);
    setSaving(true);
    p.onSubmit(checked.submit).then(
      () => setSaving(false),
      (err) => {
        setSaving(false);
        const e = p.place(err);
        setErrors(e);
        focusFirstBad(e);
      },
    );
  }
  function focusFirstBad(e: FormErrors<F>) {
    const i = fields.findIndex((f) => e[f.id]);
    if (i < 0) return;
    cur.current.focus = i;
    setFocus(i);
  }

  useInput((input, key) => {
    if (saving) return;
    const c = cur.current;
    const commit = () => {
      setValues(c.values);
      setFocus(c.focus);
    };
    for (const press of splitKeys(input, key)) {
      const id = fields[c.focus]!.id;
      const action = actionFor("form", keyName(press.input, press.key));
      if (action === "next") c.focus = (c.focus + 1) % fields.length;
      else if (action === "prev") c.focus = (c.focus + fields.length - 1) % fields.length;
      else if (action === "cancel") return p.onCancel();
      else if (action === "clear") c.values = { ...c.values, [id]: "" };
      else if (action === "submit") {
        commit();
        return submit(c.values);
      } else {
        const next = editText(c.values[id], press.input, press.key);
        if (next === null) continue;
        c.values = { ...c.values, [id]: next };
        setErrors((e) => (e[id] ? { ...e, [id]: undefined } : e));
      }
    }
    commit();
  });

  // Title, blank line, form error and footer take 4 rows; each field takes 2.
  const room = p.height === undefined ? fields.length : Math.max(1, Math.floor((p.height - 4) / 2));
  const first = Math.max(0, Math.min(focus - room + 1, fields.length - room));
  const shown = fields.slice(first, first + room);
  const more = fields.length > room ? `  (field ${focus + 1} of ${fields.length})` : "";
  return (
    <Box flexDirection="column" width={width}>
      <Text bold color={theme.fg("title")} wrap="truncate">
        {truncate(p.title + more, width, theme.glyph.ellipsis)}
      </Text>
      <Text> </Text>
      {shown.map((f, i) => (
        <TextField
          key={f.id}
          label={f.label}
          labelWidth={LABEL_WIDTH}
          value={values[f.id]}
          width={width}
          focused={first + i === focus}
          secret={f.secret}
          placeholder={p.placeholder?.(f.id)}
          hint={f.hint}
          error={errors[f.id]}
        />
      ))}
      <Text color={theme.fg("error")} wrap="truncate">
        {errors.form ? truncate(errors.form, width, theme.glyph.ellipsis) : " "}
      </Text>
      <Text color={theme.fg("muted")} wrap="truncate">
        {saving ? "saving..." : truncate(FOOTER(theme.ascii), width, theme.glyph.ellipsis)}
      </Text>
    </Box>
  );
}
