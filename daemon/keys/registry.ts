// The client keys the proxy checks, in memory: found by the SHA-256 of the presented secret,
// with each key's money (spent in its budget window, reserved by requests in flight), its limits
// and its in-flight count. Rebuilt from the store after every change (the key service awaits it),
// so a disabled, expired, rotated-out or deleted key is refused on its very next request; the
// money and counters of a key survive the rebuild. Spend is loaded from the store at start (the
// log rows' costs plus ledger entries since the window began), so it survives a restart.
import { timingSafeEqual } from "node:crypto";
import type { KeyStandingView } from "../../shared/rpc/keys-contract.ts";
import { digest } from "../proxy/auth.ts";
import { cidrMatcher } from "../proxy/client-ip.ts";
import { HttpError } from "../proxy/openai-error.ts";
import { dayClock, UpstreamLimits, type LimitSpec } from "../routing/limits.ts";
import { globToRegExp } from "../routing/models.ts";
import type { ClientKeyRecord, Store } from "../store/types.ts";
import { windowClock, type Window, type WindowClock } from "./window.ts";

/** What changes as a key is used; kept across rebuilds of the registry. */
export class KeyMoney {
  spent = 0; // settled in the current window (micro-dollars)
  reserved = 0; // held by admitted requests not settled yet
  inflight = 0;
  window: Window = { start: 0, end: null };
  windowKind = "";
  limits: UpstreamLimits | null = null;
}

export interface KeyEntry {
  readonly id: number;
  readonly name: string;
  readonly record: ClientKeyRecord;
  readonly digest: Uint8Array;
  readonly money: KeyMoney;
  /** null: every model. */
  readonly models: ((model: string) => boolean) | null;
  readonly ips: ((ip: string | null) => boolean) | null;
  /** null: every upstream group. */
  readonly groups: ReadonlySet<string> | null;
}

export interface KeyRegistryOptions {
  store: Pick<Store, "spendSince">;
  now?: () => number;
  timeZone?: string;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const nonEmpty = (l: string[] | null) => (l && l.length > 0 ? l : null);
// Every key counts its requests (requests today in the TUI); only set limits refuse.
const limitSpec = (r: ClientKeyRecord): LimitSpec => ({ rpm: r.rpm ?? undefined, rpd: r.rpd ?? undefined, tpm: r.tpm ?? undefined });

/** The refusals of a presented key, in OpenAI's shape (the SDKs raise AuthenticationError on 401). */
const refused = (message: string) => new HttpError(401, "invalid_api_key", message);

export function createKeyRegistry(opts: KeyRegistryOptions) {
  const now = opts.now ?? Date.now;
  let timeZone = opts.timeZone ?? "UTC";
  let windowOf: WindowClock = windowClock(timeZone);
  let days = dayClock(timeZone);
  let byId = new Map<number, KeyEntry>();
  let byHash = new Map<string, KeyEntry>();
  let byPrevHash = new Map<string, KeyEntry>();

  function entryOf(r: ClientKeyRecord, money: KeyMoney): KeyEntry {
    const models = nonEmpty(r.models)?.map(globToRegExp) ?? null;
    const ips = nonEmpty(r.allowIps);
    const spec = limitSpec(r);
    if (money.limits) money.limits.spec = spec;
    else money.limits = new UpstreamLimits(spec, now, days);
    return {
      id: r.id,
      name: r.name,
      record: r,
      digest: Buffer.from(r.hash, "hex"),
      money,
      models: models && ((m) => models.some((g) => g.test(m))),
      ips: ips && cidrMatcher(ips, `key ${r.name}: allow_ips`),
      groups: nonEmpty(r.groups) && new Set(r.groups),
    };
  }

  /** Moves the key's money into the window `now` falls in; a new window starts from zero spent. */
  function roll(e: KeyEntry): KeyMoney {
    const m = e.money;
    const t = now();
    if (m.windowKind !== e.record.budgetWindow) {
      m.windowKind = e.record.budgetWindow;
      m.window = windowOf(e.record.budgetWindow, t);
    } else if (m.window.end !== null && t >= m.window.end) {
      m.window = windowOf(e.record.budgetWindow, t);
      m.spent = 0;
    }
    return m;
  }

  return {
    get size() {
      return byId.size;
    },
    /**
     * Rebuilds from the store's records. A key seen for the first time, or whose budget window
     * changed kind, has its spend read from the store; the others keep their money as it is.
     */
    async load(records: ClientKeyRecord[]): Promise<void> {
      const t = now();
      const nextId = new Map<number, KeyEntry>();
      const reads: Promise<void>[] = [];
      for (const r of records) {
        const old = byId.get(r.id);
        const money = old?.money ?? new KeyMoney();
        const e = entryOf(r, money);
        nextId.set(r.id, e);
        if (money.windowKind !== r.budgetWindow) {
          money.windowKind = r.budgetWindow;
          money.window = windowOf(r.budgetWindow, t);
          const since = money.window.start;
          reads.push(opts.store.spendSince(r.id, since).then((n) => void (money.spent = n)));
        }
      }
      await Promise.all(reads);
      byId = nextId;
      byHash = new Map([...nextId.values()].map((e) => [e.record.hash, e]));
      byPrevHash = new Map([...nextId.values()].filter((e) => e.record.prevHash).map((e) => [e.record.prevHash!, e]));
    },
    /** A new time zone (config reload): windows and days are re-derived from it. */
    setTimeZone(tz: string): void {
      if (tz === timeZone) return;
      timeZone = tz;
      windowOf = windowClock(tz);
      days = dayClock(tz);
      for (const e of byId.values()) {
        e.money.limits?.setClock(days);
        e.money.window = windowOf(e.record.budgetWindow, now());
      }
    },
    get(id: number): KeyEntry | undefined {
      return byId.get(id);
    },
    /**
     * The key a secret belongs to (`given`: its SHA-256, when already computed); null if none. A known key that may not be used
     * now (disabled, expired, rotated out) throws its 401 refusal.
     */
    find(secret: string, given = digest(secret)): KeyEntry | null {
      const h = hex(given);
      const current = byHash.get(h);
      const prev = current ? undefined : byPrevHash.get(h);
      const e = current ?? prev;
      if (!e || !timingSafeEqual(current ? e.digest : Buffer.from(e.record.prevHash!, "hex"), given)) return null;
      const t = now();
      if (prev && t >= (e.record.prevValidUntil ?? 0)) throw refused(`this key was rotated; its previous secret stopped working at ${new Date(e.record.prevValidUntil ?? 0).toISOString()}: use the new one`);
      if (!e.record.enabled) throw refused(`key ${e.name} is disabled`);
      if (e.record.expiresAt !== null && t >= e.record.expiresAt) throw refused(`key ${e.name} expired at ${new Date(e.record.expiresAt).toISOString()}`);
      return e;
    },
    roll,
    /** A manual change of the key's balance (already in the ledger): applied to the money in memory. */
    adjust(id: number, amountMicros: number): void {
      const e = byId.get(id);
      if (e) roll(e).spent += amountMicros;
    },
    standing(id: number): KeyStandingView | null {
      const e = byId.get(id);
      if (!e) return null;
      const m = roll(e);
      const r = e.record;
      const t = now();
      const budget = r.budgetMicros;
      const remaining = budget === null ? null : Math.max(0, budget - m.spent - m.reserved);
      const state = !r.enabled ? "disabled" : r.expiresAt !== null && t >= r.expiresAt ? "expired" : budget !== null && m.spent >= budget ? "exhausted" : "active";
      return {
        state,
        spentMicros: m.spent,
        reservedMicros: m.reserved,
        remainingMicros: remaining,
        windowStart: m.window.start,
        windowEnd: m.window.end,
        inflight: m.inflight,
        usage: m.limits?.usage() ?? { rpm: 0, rpd: 0, tpm: 0 },
      };
    },
    all(): KeyEntry[] {
      return [...byId.values()];
    },
  };
}

export type KeyRegistry = ReturnType<typeof createKeyRegistry>;
