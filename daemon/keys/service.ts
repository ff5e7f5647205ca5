// The one place client keys are changed: the control socket (and routectl --db) call this. Every
// write is serialised, then `onChange` is awaited, so the daemon's key registry has reloaded from
// the store before the change is reported done: a disabled, rotated or removed key is refused on
// its very next request. Secrets are made here, returned once, and stored only as their hash.
import type { KeyExport, KeyStandingView, KeyView } from "../../shared/rpc/keys-contract.ts";
import { RpcError } from "../../shared/rpc/errors.ts";
import { parseCidr } from "../proxy/client-ip.ts";
import type { ClientKeyRecord, Store } from "../store/types.ts";
import { hashSecret, newSecret, visiblePrefix } from "./secret.ts";
import { DEFAULT_SETTINGS, keyExport, keyView, settingsOf, type KeySettings } from "./view.ts";

export const DEFAULT_GRACE_MS = 3_600_000;

export interface KeyServiceDeps {
  store: Store;
  /** Where the key stands now (spend in its window, limits' use); the daemon's key registry. */
  standing: (id: number) => KeyStandingView;
  /** Reloads whatever reads the keys; awaited after every write. */
  onChange?: () => Promise<void> | void;
  /** A ledger entry was written: the running balance follows it at once. */
  onAdjust?: (keyId: number, amountMicros: number) => void;
  /** The window's spend a reset cancels, when the shared database decides budgets; default: the standing's. */
  spentNow?: (keyId: number) => Promise<number>;
  now?: () => number;
}

export type KeyInput = { name: string } & Partial<KeySettings>;
export type KeyPatch = { name?: string } & Partial<KeySettings>;
export type KeyRef = number | string;
export interface Adjustment {
  amountMicros?: number;
  reset?: boolean;
  note?: string;
}

const invalid = (field: string, message: string) => new RpcError("invalid_params", `${field}: ${message}`, { field });

function find(rows: ClientKeyRecord[], ref: KeyRef): ClientKeyRecord {
  const row = typeof ref === "number" ? rows.find((r) => r.id === ref) : rows.find((r) => r.name === ref);
  if (!row) throw new RpcError("not_found", `no client key ${typeof ref === "number" ? `with id ${ref}` : `named ${JSON.stringify(ref)}`}; \`routectl keys list\` shows them`, { key: ref });
  return row;
}

function checkName(rows: ClientKeyRecord[], name: string | undefined, self: number | null) {
  if (name !== undefined && rows.some((r) => r.name === name && r.id !== self)) {
    throw new RpcError("duplicate_name", `a client key named "${name}" exists; choose another name`, { name });
  }
}

/** What the field schemas cannot see alone: CIDRs that parse, a soft budget under the budget. */
function checkSettings(s: Partial<KeySettings>) {
  for (const ip of s.allowIps ?? []) if (!parseCidr(ip)) throw invalid("allowIps", `"${ip}" is not an IP address or CIDR; use a form like 10.0.0.0/8 or ::1`);
  if (s.budgetMicros != null && s.softBudgetMicros != null && s.softBudgetMicros > s.budgetMicros) throw invalid("softBudgetMicros", "the soft budget must not be above the budget");
}

/** Runs each `fn` after the ones before it (a mutex built from a promise chain). */
function serialQueue() {
  let queue: Promise<unknown> = Promise.resolve();
  return <T>(fn: () => Promise<T>): Promise<T> => {
    const run = queue.then(fn, fn);
    queue = run.catch(() => {});
    return run;
  };
}

export function createKeyService(deps: KeyServiceDeps) {
  const { store } = deps;
  const now = deps.now ?? Date.now;
  const serial = serialQueue();
  const view = (r: ClientKeyRecord): KeyView => keyView(r, deps.standing(r.id), now());
  const changed = async () => void (await deps.onChange?.());

  /** Under the lock: the rows, `write`, then the reload. */
  function write<T>(fn: (rows: ClientKeyRecord[]) => Promise<T>): Promise<T> {
    return serial(async () => {
      const out = await fn(await store.listKeys());
      await changed();
      return out;
    });
  }

  async function patch(id: number, p: Partial<ClientKeyRecord>): Promise<ClientKeyRecord> {
    const row = await store.updateKey(id, p);
    if (!row) throw new RpcError("not_found", `client key ${id} was removed meanwhile`, { key: id });
    return row;
  }

  return {
    /** Reloads after another node's edit (cluster), in turn with this node's own writes. */
    refresh: () => serial(changed),
    list: async () => (await store.listKeys()).map(view),
    get: async (ref: KeyRef) => view(find(await store.listKeys(), ref)),

    /** The new key and its secret, which is not kept anywhere. */
    async add(input: KeyInput): Promise<{ key: KeyView; secret: string }> {
      const secret = newSecret();
      const row = await write(async (rows) => {
        checkName(rows, input.name, null);
        const settings = { ...DEFAULT_SETTINGS, ...settingsOf(input) };
        checkSettings(settings);
        return store.insertKey({ name: input.name, prefix: visiblePrefix(secret), hash: hashSecret(secret), prevHash: null, prevValidUntil: null, ...settings });
      });
      return { key: view(row), secret };
    },

    update: async (ref: KeyRef, p: KeyPatch) =>
      view(
        await write(async (rows) => {
          const row = find(rows, ref);
          checkName(rows, p.name, row.id);
          checkSettings({ ...row, ...settingsOf(p) });
          return patch(row.id, { ...settingsOf(p), ...(p.name === undefined ? {} : { name: p.name }) });
        }),
      ),

    setEnabled: async (ref: KeyRef, enabled: boolean) => view(await write(async (rows) => patch(find(rows, ref).id, { enabled }))),

    /** The key as it was. Its ledger stays (the audit outlives the key). */
    async remove(ref: KeyRef): Promise<KeyView> {
      return write(async (rows) => {
        const row = find(rows, ref);
        const last = view(row);
        await store.deleteKey(row.id);
        return last;
      });
    },

    /** A new secret; the old one stays valid for `graceMs` (0: refused at once). */
    async rotate(ref: KeyRef, graceMs = DEFAULT_GRACE_MS): Promise<{ key: KeyView; secret: string }> {
      const secret = newSecret();
      const row = await write(async (rows) => {
        const old = find(rows, ref);
        const grace = graceMs > 0 ? { prevHash: old.hash, prevValidUntil: now() + graceMs } : { prevHash: null, prevValidUntil: null };
        return patch(old.id, { hash: hashSecret(secret), prefix: visiblePrefix(secret), ...grace });
      });
      return { key: view(row), secret };
    },

    /** A ledger entry: a signed amount (positive charges), or a reset (minus the window's spend). */
    async adjust(ref: KeyRef, a: Adjustment): Promise<KeyView> {
      if ((a.amountMicros === undefined) === !a.reset) throw invalid("amountMicros", "give either an amount or reset, not both");
      if (a.amountMicros === 0) throw invalid("amountMicros", "an adjustment of 0 changes nothing");
      const row = await write(async (rows) => {
        const key = find(rows, ref);
        const amountMicros = a.reset ? -(deps.spentNow ? await deps.spentNow(key.id) : deps.standing(key.id).spentMicros) : a.amountMicros!;
        await store.insertLedger({ keyId: key.id, ts: now(), kind: a.reset ? "reset" : "adjust", amountMicros, note: a.note ?? null });
        deps.onAdjust?.(key.id, amountMicros);
        return key;
      });
      return view(row);
    },

    /** Usage per key from the log rows (every key, with zeros for the idle; removed keys as #id), and one key's ledger. */
    async usage(q: { key?: KeyRef; since?: number }) {
      const rows = await store.listKeys();
      const one = q.key === undefined ? null : find(rows, q.key);
      const used = new Map((await store.keyUsage({ keyId: one?.id, since: q.since })).map((u) => [u.keyId, u]));
      const names = new Map(rows.map((r) => [r.id, r.name]));
      const ids = [...new Set([...(one ? [one.id] : rows.map((r) => r.id)), ...used.keys()])];
      const usage = ids.map((keyId) => ({ key: names.get(keyId) ?? `#${keyId}`, ...(used.get(keyId) ?? { keyId, requests: 0, promptTokens: 0, completionTokens: 0, costMicros: 0, unpriced: 0 }) }));
      return { usage, ledger: one ? await store.listLedger(one.id, q.since) : [] };
    },

    export: async (): Promise<KeyExport[]> => (await store.listKeys()).map(keyExport),

    /** By name: new names are added, existing ones skipped unless `replace`. The hash is kept, so the same secrets work here. */
    import(keys: KeyExport[], replace = false): Promise<{ added: number; updated: number; skipped: number }> {
      return write(async (rows) => {
        const byName = new Map(rows.map((r) => [r.name, r]));
        const todo = keys.filter((k) => replace || !byName.has(k.name));
        checkImport(rows, todo);
        for (const k of todo) {
          const fields = { prefix: k.prefix, hash: k.hash, prevHash: null, prevValidUntil: null, ...DEFAULT_SETTINGS, ...settingsOf(k) };
          const existing = byName.get(k.name);
          if (existing) await store.updateKey(existing.id, fields);
          else await store.insertKey({ name: k.name, ...fields });
        }
        const updated = todo.filter((k) => byName.has(k.name)).length;
        return { added: todo.length - updated, updated, skipped: keys.length - todo.length };
      });
    },
  };
}

/** Refuses the whole import before writing anything: names or secrets twice, or a secret another key has. */
function checkImport(rows: ClientKeyRecord[], todo: KeyExport[]) {
  const names = new Set<string>();
  const hashes = new Map<string, string>();
  for (const r of rows) for (const h of [r.hash, r.prevHash]) if (h) hashes.set(h, r.name);
  const fresh = new Set<string>();
  for (const k of todo) {
    if (names.has(k.name)) throw invalid("keys", `"${k.name}" appears twice`);
    names.add(k.name);
    const owner = hashes.get(k.hash);
    if (fresh.has(k.hash) || (owner !== undefined && owner !== k.name)) {
      throw new RpcError("duplicate_key", `"${k.name}" has the same secret as ${fresh.has(k.hash) ? "another imported key" : `the existing key "${owner}"`}`, { name: k.name });
    }
    fresh.add(k.hash);
    checkSettings({ ...DEFAULT_SETTINGS, ...settingsOf(k) });
  }
}

export type KeyService = ReturnType<typeof createKeyService>;
