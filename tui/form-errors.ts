// What every form shares: its field list as data, and routed's refusals placed under the field
// they are about (or at the form's foot), given which params each field sends.
import { RpcError } from "../shared/rpc/errors.ts";

export interface Field<F extends string = string> {
  id: F;
  label: string;
  secret?: boolean;
  hint: string;
}

export type FormErrors<F extends string> = Partial<Record<F | "form", string>>;

/** routed's refusal, placed by `paramField` (param name → field; "patch." prefixes dropped). */
export function placeErrors<F extends string>(err: unknown, paramField: Record<string, F>): FormErrors<F> {
  if (!(err instanceof RpcError)) return { form: err instanceof Error ? err.message : String(err) } as FormErrors<F>;
  if (err.code === "duplicate_name") return { name: err.message } as FormErrors<F>;
  const problems = Array.isArray(err.data.problems) ? (err.data.problems as string[]) : [];
  if (err.code === "invalid_params" && problems.length > 0) {
    const out: Record<string, string> = {};
    for (const p of problems) {
      const [path, ...rest] = p.split(": ");
      const field = paramField[(path ?? "").replace(/^patch\./, "").split(".")[0]!];
      if (field) out[field] = rest.join(": ");
      else out.form = out.form ? `${out.form}; ${p}` : p;
    }
    return out as FormErrors<F>;
  }
  return { form: `${err.message} (${err.code})` } as FormErrors<F>;
}
