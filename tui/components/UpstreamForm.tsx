// The add / edit upstream form: the upstream fields on the generic form.
import type { UpstreamView } from "../../shared/rpc/contract.ts";
import { errorsFromDaemon, FIELDS, initialValues, validate, type Submit } from "../upstream-form.ts";
import { Form } from "./Form.tsx";

export interface UpstreamFormProps {
  editing?: UpstreamView;
  width: number;
  /** Saves; rejects with routed's error, which the form then shows. */
  onSubmit: (submit: Submit) => Promise<void>;
  onCancel: () => void;
}

export function UpstreamForm({ editing, width, onSubmit, onCancel }: UpstreamFormProps) {
  const title = editing ? `Edit upstream ${editing.label} (id ${editing.id}, position ${editing.position})` : "Add upstream (it goes last in the failover order; move it with J/K)";
  return (
    <Form
      title={title}
      fields={FIELDS}
      initial={initialValues(editing)}
      check={(v) => validate(v, editing)}
      place={errorsFromDaemon}
      placeholder={(id) => (id === "sk" && editing ? `unchanged (${editing.sk})` : undefined)}
      width={width}
      onSubmit={onSubmit}
      onCancel={onCancel}
    />
  );
}
