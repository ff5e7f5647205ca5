// What leaves the daemon about a key: its settings, prefix and standing, never its hash (the
// export's hash excepted) and never a secret. Fields are picked one by one, so a column added to
// the table later does not leak out by default.
import type { KeyExport, KeyStandingView, KeyView } from "../../shared/rpc/keys-contract.ts";
import type { ClientKeyRecord } from "../store/types.ts";

export type KeySettings = Pick<
  ClientKeyRecord,
  "enabled" | "expiresAt" | "models" | "groups" | "allowIps" | "rpm" | "rpd" | "tpm" | "maxInflight" | "budgetMicros" | "budgetWindow" | "softBudgetMicros" | "allowPinning" | "logCapture" | "note"
>;

export const DEFAULT_SETTINGS: KeySettings = {
  enabled: true,
  expiresAt: null,
  models: null,
  groups: null,
  allowIps: null,
  rpm: null,
  rpd: null,
  tpm: null,
  maxInflight: null,
  budgetMicros: null,
  budgetWindow: "total",
  softBudgetMicros: null,
  allowPinning: false,
  logCapture: null,
  note: null,
};
const SETTING_NAMES = Object.keys(DEFAULT_SETTINGS) as (keyof KeySettings)[];

export function settingsOf(r: Partial<KeySettings>): Partial<KeySettings> {
  const out: Partial<KeySettings> = {};
  for (const k of SETTING_NAMES) if (r[k] !== undefined) (out as Record<string, unknown>)[k] = r[k];
  return out;
}

export function keyView(r: ClientKeyRecord, standing: KeyStandingView, now: number): KeyView {
  const rotatedUntil = r.prevHash !== null && r.prevValidUntil !== null && r.prevValidUntil > now ? r.prevValidUntil : null;
  return { id: r.id, name: r.name, prefix: r.prefix, ...DEFAULT_SETTINGS, ...settingsOf(r), rotatedUntil, createdAt: r.createdAt, updatedAt: r.updatedAt, standing };
}

export function keyExport(r: ClientKeyRecord): KeyExport {
  return { name: r.name, prefix: r.prefix, hash: r.hash, ...DEFAULT_SETTINGS, ...settingsOf(r) };
}

/** A key's standing from its settings alone, with nothing spent or in flight. */
export function standingAtRest(r: ClientKeyRecord | undefined, now: number): KeyStandingView {
  const state = !r || !r.enabled ? "disabled" : r.expiresAt !== null && r.expiresAt <= now ? "expired" : "active";
  return { state, spentMicros: 0, reservedMicros: 0, remainingMicros: r?.budgetMicros ?? null, windowStart: 0, windowEnd: null, inflight: 0, usage: { rpm: 0, rpd: 0, tpm: 0 } };
}

/** Standings from the store's rows at rest (no spend counted): for routectl --db, and until the key registry is wired. */
export function restingStandings(listKeys: () => Promise<ClientKeyRecord[]>, now: () => number) {
  let rows = new Map<number, ClientKeyRecord>();
  return {
    async reload() {
      rows = new Map((await listKeys()).map((k) => [k.id, k]));
    },
    standing: (id: number) => standingAtRest(rows.get(id), now()),
  };
}
