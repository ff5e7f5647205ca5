// The create/edit key form as data and pure functions: its fields, validation with routed's rules
// (money as USD text converted exactly, limits, expiry as a date or a duration), the call to make
// (on edit, only what changed), and where routed's refusals belong.
import type { Params } from "../shared/rpc/contract.ts";
import type { KeyView } from "../shared/rpc/keys-contract.ts";
import { BUDGET_WINDOWS, KEY_NAME } from "../shared/key-fields.ts";
import { microsToUsd, usdToMicros } from "../shared/money.ts";
import { placeErrors, type Field, type FormErrors } from "./form-errors.ts";

export type FieldId = "name" | "budget" | "window" | "softBudget" | "models" | "groups" | "rpm" | "rpd" | "tpm" | "maxInflight" | "expires" | "allowIps" | "note";

export const FIELDS: Field<FieldId>[] = [
  { id: "name", label: "Name", hint: "letters, digits, . _ @ -" },
  { id: "budget", label: "Budget USD", hint: "e.g. 25 or 0.50 (empty: no budget)" },
  { id: "window", label: "Budget window", hint: BUDGET_WINDOWS.join(", ") + " (default total)" },
  { id: "softBudget", label: "Soft budget USD", hint: "alerts only (empty: none)" },
  { id: "models", label: "Models", hint: "comma-separated globs: gpt-4o*, o3 (empty: all)" },
  { id: "groups", label: "Groups", hint: "comma-separated upstream groups (empty: all)" },
  { id: "rpm", label: "Requests/min", hint: "empty: unlimited" },
  { id: "rpd", label: "Requests/day", hint: "empty: unlimited" },
  { id: "tpm", label: "Tokens/min", hint: "empty: unlimited" },
  { id: "maxInflight", label: "Max in flight", hint: "concurrent requests (empty: unlimited)" },
  { id: "expires", label: "Expires", hint: "a date (2027-01-31) or a duration (30d, 12h); empty: never" },
  { id: "allowIps", label: "Allowed IPs", hint: "comma-separated IPs or CIDRs (empty: any)" },
  { id: "note", label: "Note", hint: "free text" },
];

export type Values = Record<FieldId, string>;
export type Errors = FormErrors<FieldId>;
export type Submit = { kind: "add"; params: Params<"keys.add"> } | { kind: "update"; params: Params<"keys.update"> };
type Settings = Omit<Params<"keys.add">, "name">;

const usd = (m: number | null) => (m === null ? "" : microsToUsd(m));
const num = (n: number | null) => (n === null ? "" : String(n));
const list = (l: string[] | null) => (l ?? []).join(", ");

export function initialValues(k?: KeyView): Values {
  return {
    name: k?.name ?? "",
    budget: usd(k?.budgetMicros ?? null),
    window: k?.budgetWindow ?? "",
    softBudget: usd(k?.softBudgetMicros ?? null),
    models: list(k?.models ?? null),
    groups: list(k?.groups ?? null),
    rpm: num(k?.rpm ?? null),
    rpd: num(k?.rpd ?? null),
    tpm: num(k?.tpm ?? null),
    maxInflight: num(k?.maxInflight ?? null),
    expires: k?.expiresAt ? new Date(k.expiresAt).toISOString() : "",
    allowIps: list(k?.allowIps ?? null),
    note: k?.note ?? "",
  };
}

const DURATION = /^(\d+)\s*(m|h|d|w)$/i;
const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** "30d", "12h", "2w" from now, or a date ("2027-01-31", an ISO time); null if neither. */
export function parseExpires(text: string, now = Date.now()): number | null {
  const d = DURATION.exec(text.trim());
  if (d) return Number(d[1]) > 0 ? now + Number(d[1]) * UNIT_MS[d[2]!.toLowerCase()]! : null;
  if (!/^\d{4}-\d{2}-\d{2}/.test(text.trim())) return null;
  const t = Date.parse(text.trim());
  return Number.isFinite(t) && t > 0 ? t : null;
}

type Parsed<T> = { value: T; error?: string };
const money = (t: string): Parsed<number | null> => {
  if (!t.trim()) return { value: null };
  const m = usdToMicros(t);
  return m === null ? { value: null, error: "an amount in USD, such as 25 or 0.50 (at most 6 decimals)" } : { value: m };
};
const whole = (t: string, min: number): Parsed<number | null> => {
  if (!t.trim()) return { value: null };
  return /^\d+$/.test(t.trim()) && Number(t) >= min && Number.isSafeInteger(Number(t)) ? { value: Number(t) } : { value: null, error: min > 0 ? "a positive whole number" : "0 or a positive whole number" };
};
const items = (t: string): Parsed<string[] | null> => {
  const l = t.split(",").map((s) => s.trim()).filter(Boolean);
  return { value: l.length ? l : null };
};

/** Checks the values; with no errors, the call that saves them. `editing`: the key as it is. */
export function validate(values: Values, editing?: KeyView, now = Date.now()): { errors: Errors; submit?: Submit } {
  const errors: Errors = {};
  const name = values.name.trim();
  if (!KEY_NAME.test(name)) errors.name = name ? "1-64 letters, digits, '.', '_', '@' or '-', starting with a letter or digit" : "required";
  const window = values.window.trim().toLowerCase() || "total";
  if (!(BUDGET_WINDOWS as readonly string[]).includes(window)) errors.window = `one of ${BUDGET_WINDOWS.join(", ")}`;
  const expiresText = values.expires.trim();
  const unchangedExpiry = editing?.expiresAt && expiresText === initialValues(editing).expires;
  const expiresAt = !expiresText ? null : unchangedExpiry ? editing.expiresAt : parseExpires(expiresText, now);
  if (expiresText && expiresAt === null) errors.expires = "a date (2027-01-31) or a duration (30d, 12h, 2w)";
  const parsed: { [K in keyof Settings]?: Parsed<unknown> } = {
    budgetMicros: money(values.budget),
    softBudgetMicros: money(values.softBudget),
    models: items(values.models),
    groups: items(values.groups),
    rpm: whole(values.rpm, 0),
    rpd: whole(values.rpd, 0),
    tpm: whole(values.tpm, 0),
    maxInflight: whole(values.maxInflight, 1),
    allowIps: items(values.allowIps),
  };
  for (const [param, p] of Object.entries(parsed)) if (p.error) errors[PARAM_FIELD[param]!] = p.error;
  if (Object.keys(errors).length > 0) return { errors };

  const settings = { ...Object.fromEntries(Object.entries(parsed).map(([k, p]) => [k, p.value])), budgetWindow: window, expiresAt, note: values.note.trim() || null } as Settings;
  if (!editing) {
    const params = { name, ...Object.fromEntries(Object.entries(settings).filter(([k, v]) => v !== null && !(k === "budgetWindow" && v === "total"))) } as Params<"keys.add">;
    return { errors, submit: { kind: "add", params } };
  }
  const patch: Params<"keys.update">["patch"] = {};
  if (name !== editing.name) patch.name = name;
  for (const [k, v] of Object.entries(settings)) {
    if (JSON.stringify(v) !== JSON.stringify(editing[k as keyof Settings] ?? null)) (patch as Record<string, unknown>)[k] = v;
  }
  if (Object.keys(patch).length === 0) return { errors: { form: "nothing changed" } };
  return { errors, submit: { kind: "update", params: { key: editing.id, patch } } };
}

const PARAM_FIELD: Record<string, FieldId> = {
  name: "name",
  budgetMicros: "budget",
  budgetWindow: "window",
  softBudgetMicros: "softBudget",
  models: "models",
  groups: "groups",
  rpm: "rpm",
  rpd: "rpd",
  tpm: "tpm",
  maxInflight: "maxInflight",
  expiresAt: "expires",
  allowIps: "allowIps",
  note: "note",
};

/** routed's refusal, placed under the field it is about (or at the form's foot). */
export const errorsFromDaemon = (err: unknown): Errors => placeErrors(err, PARAM_FIELD);
