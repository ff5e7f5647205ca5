// keys.* of the fake routed, faithful to the contract: the secret is in the answers of keys.add
// and keys.rotate only (the fake keeps its SHA-256, as routed does); names are unique; standing is
// derived from the settings and the spend a test sets.
import { createHash, randomBytes } from "node:crypto";
import type { MethodName, Params } from "../../shared/rpc/contract.ts";
import { RpcError } from "../../shared/rpc/errors.ts";
import type { KeyStandingView, KeyView } from "../../shared/rpc/keys-contract.ts";
import { standingOf } from "./fixtures.ts";

const DEFAULT_GRACE_MS = 3_600_000;

export function createFakeKeys(initial: KeyView[] = []) {
  let keys = initial;
  let nextId = 1 + initial.reduce((a, k) => Math.max(a, k.id), 0);
  const hashes = new Map<number, string>(initial.map((k) => [k.id, "0".repeat(64)]));

  const find = (ref: number | string) => {
    const k = keys.find((x) => x.id === ref || x.name === ref);
    if (!k) throw new RpcError("not_found", `no key ${ref}`, { key: ref });
    return k;
  };
  const checkName = (name: string | undefined, id?: number) => {
    if (name && keys.some((k) => k.name === name && k.id !== id)) throw new RpcError("duplicate_name", `a key named "${name}" exists; choose another name`, { name });
  };
  /** Saves `k` with its standing derived again (state follows enabled, expiry and budget). */
  const save = (k: KeyView, standing: Partial<KeyStandingView> = k.standing) => {
    const { state: _, ...measured } = standing;
    const next = { ...k, standing: standingOf(k, measured) };
    keys = keys.some((x) => x.id === k.id) ? keys.map((x) => (x.id === k.id ? next : x)) : [...keys, next];
    return next;
  };
  const issue = (id: number) => {
    const secret = `sk-route-${randomBytes(24).toString("hex")}`;
    hashes.set(id, createHash("sha256").update(secret).digest("hex"));
    return { secret, prefix: secret.slice(0, 13) };
  };

  const handlers: { [M in MethodName]?: (p: any) => unknown } = {
    "keys.list": () => ({ keys }),
    "keys.get": (p: Params<"keys.get">) => find(p.key),
    "keys.add": (p: Params<"keys.add">) => {
      checkName(p.name);
      const id = nextId++;
      const { secret, prefix } = issue(id);
      const now = Date.now();
      const base = { enabled: true, expiresAt: null, models: null, groups: null, allowIps: null, rpm: null, rpd: null, tpm: null, maxInflight: null, budgetMicros: null, budgetWindow: "total", softBudgetMicros: null, allowPinning: false, logCapture: null, note: null } as const;
      const k = { ...base, ...p, id, prefix, rotatedUntil: null, createdAt: now, updatedAt: now } as KeyView;
      return { key: save(k, {}), secret };
    },
    "keys.update": (p: Params<"keys.update">) => {
      const k = find(p.key);
      checkName(p.patch.name, k.id);
      return save({ ...k, ...p.patch, updatedAt: Date.now() } as KeyView);
    },
    "keys.enable": (p: Params<"keys.enable">) => save({ ...find(p.key), enabled: true }),
    "keys.disable": (p: Params<"keys.disable">) => save({ ...find(p.key), enabled: false }),
    "keys.remove": (p: Params<"keys.remove">) => {
      const k = find(p.key);
      keys = keys.filter((x) => x.id !== k.id);
      hashes.delete(k.id);
      return k;
    },
    "keys.rotate": (p: Params<"keys.rotate">) => {
      const k = find(p.key);
      const { secret, prefix } = issue(k.id);
      return { key: save({ ...k, prefix, rotatedUntil: Date.now() + (p.graceMs ?? DEFAULT_GRACE_MS) }), secret };
    },
    "keys.adjust": (p: Params<"keys.adjust">) => {
      const k = find(p.key);
      const spent = p.reset ? 0 : k.standing.spentMicros + (p.amountMicros ?? 0);
      return save(k, { ...k.standing, spentMicros: spent });
    },
    "keys.usage": () => ({ usage: [], ledger: [] }),
    "keys.export": () => ({ keys: keys.map(({ id, standing, rotatedUntil, createdAt, updatedAt, ...k }) => ({ ...k, hash: hashes.get(id)! })) }),
  };

  return {
    handlers,
    get keys() {
      return keys;
    },
    /** What routed would report after requests: spend, requests today and so on. */
    setStanding(name: string, s: Partial<KeyStandingView>) {
      const k = find(name);
      save(k, { ...k.standing, ...s });
    },
  };
}
