// The add/edit upstream form as data and pure functions: its fields, what the operator typed,
// validation with the same rules routed applies (so most mistakes are caught before a round
// trip), the call to make, and where routed's own refusals belong (under which field).
import type { Params, UpstreamView } from "../shared/rpc/contract.ts";
import { parseDurationMs } from "../shared/duration.ts";
import { endpointSchema, UPSTREAM_TYPES, upstreamNameSchema, type UpstreamType } from "../shared/upstream-fields.ts";
import { placeErrors, type Field as FormField, type FormErrors } from "./form-errors.ts";

const TYPE_CHOICES = UPSTREAM_TYPES.join(", ");

export type FieldId = "name" | "endpoint" | "sk" | "timeout" | "streamTimeout" | "type" | "responses";

export type Field = FormField<FieldId>;

export const FIELDS: Field[] = [
  { id: "name", label: "Name", hint: "optional: letters, digits, . _ -" },
  { id: "endpoint", label: "Endpoint", hint: "API base, e.g. https://api.openai.com/v1" },
  { id: "sk", label: "API key", secret: true, hint: "the upstream's key; never shown again" },
  { id: "timeout", label: "Timeout", hint: "whole response: 30s, 2m (empty: default)" },
  { id: "streamTimeout", label: "Stream timeout", hint: "to the first token: 5s (empty: default)" },
  { id: "type", label: "Type", hint: `the API it speaks: ${TYPE_CHOICES} (empty: openai)` },
  // Last, so the tab order of the fields above stays as it was.
  { id: "responses", label: "Responses API", hint: "yes: serves /v1/responses itself; no: Route translates to chat (empty: yes; anthropic, gemini: always no)" },
];

export type Values = Record<FieldId, string>;
export type Errors = FormErrors<FieldId>;
export type Submit = { kind: "add"; params: Params<"upstreams.add"> } | { kind: "update"; params: Params<"upstreams.update"> };

const durationText = (v: number | null) => (v === null ? "" : v % 1000 === 0 ? `${v / 1000}s` : `${v}ms`);
const yesNoText = (v: boolean | null) => (v === null ? "" : v ? "yes" : "no");

export function initialValues(u?: UpstreamView): Values {
  return { name: u?.name ?? "", endpoint: u?.endpoint ?? "", sk: "", timeout: durationText(u?.timeoutMs ?? null), streamTimeout: durationText(u?.streamTimeoutMs ?? null), type: u?.type ?? "", responses: yesNoText(u?.responses ?? null) };
}

function duration(text: string): { ms: number | null; error?: string } {
  if (!text.trim()) return { ms: null };
  const ms = parseDurationMs(text);
  if (ms === null || ms <= 0 || ms > 86_400_000) return { ms: null, error: "a duration such as 30s, 500ms or 2m (at most 24h)" };
  return { ms };
}

function upstreamType(text: string): { type: UpstreamType; error?: string } {
  const t = text.trim().toLowerCase() || "openai";
  const known = UPSTREAM_TYPES.find((k) => k === t);
  return known ? { type: known } : { type: "openai", error: `one of ${TYPE_CHOICES}` };
}

/** Empty: unset (the type decides). */
function yesNo(text: string): { value: boolean | null; error?: string } {
  const t = text.trim().toLowerCase();
  if (!t) return { value: null };
  if (t === "yes" || t === "y" || t === "true") return { value: true };
  if (t === "no" || t === "n" || t === "false") return { value: false };
  return { value: null, error: "yes, no or empty (the type's default)" };
}

/** Checks the values; with no errors, the call that saves them. `editing`: the upstream as it is. */
export function validate(values: Values, editing?: UpstreamView): { errors: Errors; submit?: Submit } {
  const errors: Errors = {};
  const name = values.name.trim();
  if (name && !upstreamNameSchema.safeParse(name).success) errors.name = "1-64 letters, digits, '.', '_' or '-', starting with a letter or digit";
  const endpoint = endpointSchema.safeParse(values.endpoint);
  if (!endpoint.success) errors.endpoint = values.endpoint.trim() ? "must be an http(s) URL, such as https://api.openai.com/v1" : "required";
  const sk = values.sk.trim();
  if (!editing && !sk) errors.sk = "required";
  const timeout = duration(values.timeout);
  if (timeout.error) errors.timeout = timeout.error;
  const streamTimeout = duration(values.streamTimeout);
  if (streamTimeout.error) errors.streamTimeout = streamTimeout.error;
  const type = upstreamType(values.type);
  if (type.error) errors.type = type.error;
  const responses = yesNo(values.responses);
  if (responses.error) errors.responses = responses.error;
  if (Object.keys(errors).length > 0 || !endpoint.success) return { errors };

  if (!editing) {
    const params: Params<"upstreams.add"> = { endpoint: endpoint.data, sk };
    if (name) params.name = name;
    if (timeout.ms !== null) params.timeoutMs = timeout.ms;
    if (streamTimeout.ms !== null) params.streamTimeoutMs = streamTimeout.ms;
    if (type.type !== "openai") params.type = type.type;
    if (responses.value !== null) params.responses = responses.value;
    return { errors, submit: { kind: "add", params } };
  }
  const patch: Params<"upstreams.update">["patch"] = {};
  if ((editing.name ?? "") !== name) patch.name = name || null;
  if (editing.endpoint !== endpoint.data) patch.endpoint = endpoint.data;
  if (sk) patch.sk = sk;
  if (editing.timeoutMs !== timeout.ms) patch.timeoutMs = timeout.ms;
  if (editing.streamTimeoutMs !== streamTimeout.ms) patch.streamTimeoutMs = streamTimeout.ms;
  if (editing.type !== type.type) patch.type = type.type;
  if (editing.responses !== responses.value) patch.responses = responses.value;
  if (Object.keys(patch).length === 0) return { errors: { form: "nothing changed" } };
  return { errors, submit: { kind: "update", params: { upstream: editing.id, patch } } };
}

const PARAM_FIELD: Record<string, FieldId> = { name: "name", endpoint: "endpoint", sk: "sk", timeoutMs: "timeout", streamTimeoutMs: "streamTimeout", type: "type", responses: "responses" };

/** routed's refusal, placed under the field it is about (or at the form's foot). */
export const errorsFromDaemon = (err: unknown): Errors => placeErrors(err, PARAM_FIELD);
