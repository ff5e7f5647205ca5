// How a client key's settings are validated, wherever they come from: the control socket,
// routectl's arguments, `routectl keys import`. One definition, one set of messages.
import { z } from "zod";
import { captureTextSchema } from "./log-capture.ts";

export const KEY_NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;
export const keyNameSchema = z.string().regex(KEY_NAME, { message: "must be 1-64 characters of letters, digits, '.', '_', '@' or '-', starting with a letter or digit" });
export const BUDGET_WINDOWS = ["total", "day", "week", "month"] as const;
const micros = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const list = (what: string) => z.array(z.string().trim().min(1).max(200), { message: `must be a list of ${what}` }).max(1000);
const limit = z.number().int().min(0, { message: "must be 0 or a positive whole number" });

/** The settings of a key (camelCase, as the socket takes them); null: not limited. */
export const keySettingsFields = {
  enabled: z.boolean(),
  expiresAt: z.number().int().positive().nullable(), // ms since epoch
  models: list("model names or globs (gpt-4o*)").nullable(),
  groups: list("upstream groups").nullable(),
  allowIps: list("IP addresses or CIDRs (10.0.0.0/8)").nullable(),
  rpm: limit.nullable(),
  rpd: limit.nullable(),
  tpm: limit.nullable(),
  maxInflight: z.number().int().positive().nullable(),
  budgetMicros: micros.nullable(),
  budgetWindow: z.enum(BUDGET_WINDOWS),
  softBudgetMicros: micros.nullable(),
  allowPinning: z.boolean(),
  /** How much of this key's requests the log keeps (full, metadata, truncate:<size>); null: log.capture. */
  logCapture: captureTextSchema.nullable(),
  note: z.string().max(1000).nullable(),
};
