// The control socket's client-key methods (spread into contract.ts's `methods`). Secrets cross the
// socket only in the answers of keys.add and keys.rotate, once; everything else shows the prefix.
import { z } from "zod";
import { keyNameSchema, keySettingsFields } from "../key-fields.ts";

/** A key by id (number) or by name. */
export const keyRef = z.union([z.number().int().positive(), keyNameSchema]);
const byKey = z.strictObject({ key: keyRef });

const optionalSettings = Object.fromEntries(Object.entries(keySettingsFields).map(([k, v]) => [k, v.optional()])) as {
  [K in keyof typeof keySettingsFields]: z.ZodOptional<(typeof keySettingsFields)[K]>;
};

/** Where a key stands now: money in its current budget window, its limits' use, why it would be refused. */
export const keyStandingSchema = z.object({
  state: z.enum(["active", "disabled", "expired", "exhausted"]),
  spentMicros: z.number(), // settled in the current window
  reservedMicros: z.number(), // held by requests in flight
  remainingMicros: z.number().nullable(), // null: no budget
  windowStart: z.number(), // ms; 0 for a total budget
  windowEnd: z.number().nullable(), // when the window resets; null: never (total)
  inflight: z.number(),
  usage: z.object({ rpm: z.number(), rpd: z.number(), tpm: z.number() }),
});

export const keySchema = z.object({
  id: z.number(),
  name: z.string(),
  prefix: z.string(), // e.g. "sk-route-ab12": recognisable, never usable
  ...keySettingsFields,
  rotatedUntil: z.number().nullable(), // the previous secret is accepted until then (ms)
  createdAt: z.number(),
  updatedAt: z.number(),
  standing: keyStandingSchema,
});

/** A key as `keys export` writes it: its hash, never a secret; imported as is on another machine. */
export const keyExportSchema = z.object({
  name: keyNameSchema,
  prefix: z.string().min(1).max(32),
  hash: z.string().regex(/^[0-9a-f]{64}$/, { message: "must be a hex SHA-256" }),
  ...optionalSettings,
});

export const ledgerEntrySchema = z.object({ id: z.number(), keyId: z.number(), ts: z.number(), kind: z.enum(["adjust", "reset"]), amountMicros: z.number(), note: z.string().nullable() });
export const keyUsageSchema = z.object({ key: z.string(), keyId: z.number(), requests: z.number(), promptTokens: z.number(), completionTokens: z.number(), costMicros: z.number(), unpriced: z.number() });
const withSecret = z.object({ key: keySchema, secret: z.string() });

export const keyMethods = {
  "keys.list": { params: z.strictObject({}), result: z.object({ keys: z.array(keySchema) }) },
  "keys.get": { params: byKey, result: keySchema },
  /** Creates a key; the answer holds its secret, which is never shown again. */
  "keys.add": { params: z.strictObject({ name: keyNameSchema, ...optionalSettings }), result: withSecret },
  "keys.update": {
    params: z.strictObject({ key: keyRef, patch: z.strictObject({ name: keyNameSchema.optional(), ...optionalSettings }).refine((p) => Object.keys(p).length > 0, { message: "give at least one field to change" }) }),
    result: keySchema,
  },
  "keys.enable": { params: byKey, result: keySchema },
  "keys.disable": { params: byKey, result: keySchema },
  "keys.remove": { params: byKey, result: keySchema },
  /** A new secret; the old one stays valid for `graceMs` (default 1 h; 0: refused at once). */
  "keys.rotate": { params: z.strictObject({ key: keyRef, graceMs: z.number().int().min(0).max(30 * 86_400_000).optional() }), result: withSecret },
  /** Requests, tokens and money per key (one key, or all), since `since` (ms; default: all time), and the key's ledger. */
  "keys.usage": {
    params: z.strictObject({ key: keyRef.optional(), since: z.number().int().nonnegative().optional() }),
    result: z.object({ usage: z.array(keyUsageSchema), ledger: z.array(ledgerEntrySchema) }),
  },
  /** A manual change of the balance (signed micro-dollars; positive charges, negative credits), or a reset of the window's spend to zero. */
  "keys.adjust": {
    params: z
      .strictObject({ key: keyRef, amountMicros: z.number().int().min(-Number.MAX_SAFE_INTEGER).max(Number.MAX_SAFE_INTEGER).optional(), reset: z.boolean().optional(), note: z.string().max(500).optional() })
      .refine((p) => (p.amountMicros !== undefined) !== (p.reset === true), { message: "give either amountMicros or reset: true" }),
    result: keySchema,
  },
  "keys.export": { params: z.strictObject({}), result: z.object({ keys: z.array(keyExportSchema) }) },
  /** Adds keys by name; an existing name is skipped unless `replace`. */
  "keys.import": { params: z.strictObject({ keys: z.array(keyExportSchema).max(10_000), replace: z.boolean().optional() }), result: z.object({ added: z.number(), updated: z.number(), skipped: z.number() }) },
} as const;

export type KeyView = z.output<typeof keySchema>;
export type KeyStandingView = z.output<typeof keyStandingSchema>;
export type KeyExport = z.output<typeof keyExportSchema>;
