// The add / edit upstream form. It validates as routed would before sending, then shows routed's
// own refusals (duplicate name, bad endpoint, file rules) under the field they are about; a
// refusal never closes the form or loses what was typed.
import { Box, Text, useInput } from "ink";
import { useRef, useState } from "react";
import type { UpstreamView } from "../../shared/rpc/contract.ts";
import { truncate } from "../format.ts";
import { actionFor, hint, keyName } from "../keymap.ts";
import { editText, splitKeys } from "../text-edit.ts";
import { useTheme } from "../theme.ts";
import { errorsFromDaemon, FIELDS, initialValues, validate, type Errors, type Submit, type Values } from "../upstream-form.ts";
import { TextField } from "./TextField.tsx";

export interface UpstreamFormProps {
  editing?: UpstreamView;
  width: number;
  /** Saves; rejects with routed's error, which the form then shows. */
  onSubmit: (submit: Submit) => Promise<void>;
  onCancel: () => void;
}

const LABEL_WIDTH = 18;
const FOOTER = (ascii: boolean) => hint("form", [["submit", "save"], ["next", "next"], ["prev", "previous"], ["cancel", "cancel"]], ascii);

export function UpstreamForm({ editing, width, onSubmit, onCancel }: UpstreamFormProps) {
  const theme = useTheme();
  const [values, setValues] = useState<Values>(() => initialValues(editing));
  const [focus, setFocus] = useState(0);
  const [errors, setErrors] = useState<Errors>({});
  const [saving, setSaving] = useState(false);

  // A mirror of the state, so several presses in one input chunk apply in order.
  const cur = useRef({ values, focus });

  function submit(v: Values) {
    const checked = validate(v, editing);
    setErrors(checked.errors);
    if (!checked.submit) return focusFirstBad(checked.errors);
    setSaving(true);
    onSubmit(checked.submit).then(
      () => setSaving(false),
      (err) => {
        setSaving(false);
        const e = errorsFromDaemon(err);
        setErrors(e);
        focusFirstBad(e);
      },
    );
  }
  function focusFirstBad(e: Errors) {
    const i = FIELDS.findIndex((f) => e[f.id]);
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
      const id = FIELDS[c.focus]!.id;
      const action = actionFor("form", keyName(press.input, press.key));
      if (action === "next") c.focus = (c.focus + 1) % FIELDS.length;
      else if (action === "prev") c.focus = (c.focus + FIELDS.length - 1) % FIELDS.length;
      else if (action === "cancel") return onCancel();
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

  const title = editing ? `Edit upstream ${editing.label} (id ${editing.id}, position ${editing.position})` : "Add upstream (it goes last in the failover order; move it with J/K)";
  return (
    <Box flexDirection="column" width={width}>
      <Text bold color={theme.fg("title")} wrap="truncate">
        {truncate(title, width, theme.glyph.ellipsis)}
      </Text>
      <Text> </Text>
      {FIELDS.map((f, i) => (
        <TextField
          key={f.id}
          label={f.label}
          labelWidth={LABEL_WIDTH}
          value={values[f.id]}
          width={width}
          focused={i === focus}
          secret={f.secret}
          placeholder={f.id === "sk" && editing ? `unchanged (${editing.sk})` : undefined}
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
