// The one place upstreams are changed at run time: the control socket, the HTTP admin API and
// routectl's offline mode all call this. Every change is applied in one store transaction (and,
// for file-managed upstreams, written back to upstreams.yaml first), then `onChange` rebuilds the
// live pool so the next request sees it. Changes are serialised: two clients never interleave.
import { linkLocalProblem } from "../../shared/endpoint-policy.ts";
import { RpcError } from "../../shared/rpc/errors.ts";
import type { FileUpstream } from "../config/schema.ts";
import { planReconcile } from "../store/reconcile.ts";
import { ROUTING_DEFAULTS, type Store, type UpstreamRecord } from "../store/types.ts";
import type { UpstreamsFile } from "./file.ts";
import { draftsOf, fileChanges, place, storeChanges, type Draft, type UpstreamFields } from "./order.ts";

export interface UpstreamServiceDeps {
  store: Store;
  /** Rebuilds whatever reads the store (the pool); awaited before a change is reported done. */
  onChange?: () => Promise<void> | void;
  /** Where file-managed upstreams are written back; null: they cannot be changed here. */
  file?: UpstreamsFile | null;
  /** Link-local hosts the config allows (`allow_link_local`); read at each change. Default none. */
  allowLinkLocal?: () => readonly string[];
}

export type UpstreamInput = Partial<UpstreamFields> & Pick<UpstreamFields, "endpoint" | "sk"> & { position?: number };
export type UpstreamFieldsPatch = Partial<UpstreamFields>;

export function createUpstreamService(deps: UpstreamServiceDeps) {
  const { store } = deps;
  let queue: Promise<unknown> = Promise.resolve();

  /** Runs `fn` after every change already started (a mutex built from a promise chain). */
  function serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = queue.then(fn, fn);
    queue = run.catch(() => {});
    return run;
  }

  function find(rows: UpstreamRecord[], ref: number | string): UpstreamRecord {
    const s = String(ref).trim().replace(/^#(?=\d+$)/, "");
    const row = (/^\d+$/.test(s) ? rows.find((r) => r.id === Number(s)) : undefined) ?? rows.find((r) => r.name === s);
    if (!row) throw new RpcError("not_found", `no upstream with id or name ${JSON.stringify(String(ref))}; list them to see ids and names`, { upstream: ref });
    return row;
  }

  function checkName(rows: UpstreamRecord[], name: string | null | undefined, self: number | null) {
    if (name && rows.some((r) => r.name === name && r.id !== self)) {
      throw new RpcError("duplicate_name", `an upstream named "${name}" exists; choose another name`, { name });
    }
  }

  function checkEndpoint(endpoint: string | undefined) {
    const problem = endpoint === undefined ? null : linkLocalProblem(endpoint, deps.allowLinkLocal?.());
    if (problem) throw new RpcError("invalid_params", `endpoint ${problem}`, { field: "endpoint" });
  }

  function checkPosition(position: number, max: number) {
    if (!Number.isInteger(position) || position < 1 || position > max) {
      throw new RpcError("invalid_position", `position ${position} is out of range: use 1 to ${max}, as numbered by list`, { max });
    }
  }

  /** Applies drafts: the file first (it may refuse), then the store in one transaction, then the pool. */
  async function commit(rows: UpstreamRecord[], drafts: Draft[]): Promise<UpstreamRecord[]> {
    if (fileChanges(rows, drafts)) {
      if (!deps.file) {
        throw new RpcError("file_managed", "that change touches upstreams from the upstreams file, which this routed was not started with; edit the file and reload", {});
      }
      deps.file.write(rows.filter((r) => r.source === "file"), drafts.filter((d) => d.source === "file"));
    }
    const inserted = await store.applyUpstreamChanges(storeChanges(rows, drafts));
    await deps.onChange?.();
    return inserted;
  }

  async function byId(id: number): Promise<UpstreamRecord> {
    return find(await store.listUpstreams(), id);
  }

  function edit(ref: number | string, patch: UpstreamFieldsPatch): Promise<UpstreamRecord> {
    return serial(async () => {
      const rows = await store.listUpstreams();
      const row = find(rows, ref);
      checkName(rows, patch.name, row.id);
      checkEndpoint(patch.endpoint);
      const drafts = draftsOf(rows).map((d) => (d.id === row.id ? { ...d, fields: { ...d.fields, ...patch } } : d));
      await commit(rows, drafts);
      return byId(row.id);
    });
  }

  return {
    /** In failover order. */
    list: () => store.listUpstreams(),
    get: async (ref: number | string) => find(await store.listUpstreams(), ref),

    add(input: UpstreamInput): Promise<UpstreamRecord> {
      return serial(async () => {
        const rows = await store.listUpstreams();
        checkName(rows, input.name, null);
        checkEndpoint(input.endpoint);
        const position = input.position ?? rows.length + 1;
        checkPosition(position, rows.length + 1);
        const given = Object.fromEntries(Object.entries(input).filter(([k, v]) => v !== undefined && k !== "position"));
        const fields: UpstreamFields = {
          ...ROUTING_DEFAULTS,
          ...given,
          name: input.name ?? null,
          endpoint: input.endpoint,
          sk: input.sk,
          timeoutMs: input.timeoutMs ?? null,
          streamTimeoutMs: input.streamTimeoutMs ?? null,
          enabled: input.enabled ?? true,
          extra: input.extra ?? null,
        };
        const drafts = place(draftsOf(rows), { id: null, fields, source: "runtime", fileIndex: null }, position - 1);
        const [row] = await commit(rows, drafts);
        return row!;
      });
    },

    update: edit,
    setEnabled: (ref: number | string, enabled: boolean) => edit(ref, { enabled }),

    remove(ref: number | string): Promise<UpstreamRecord> {
      return serial(async () => {
        const rows = await store.listUpstreams();
        const row = find(rows, ref);
        await commit(rows, draftsOf(rows).filter((d) => d.id !== row.id));
        return row;
      });
    },

    /** Moves to `position` (1-based); returns the new order. */
    move(ref: number | string, position: number): Promise<UpstreamRecord[]> {
      return serial(async () => {
        const rows = await store.listUpstreams();
        const row = find(rows, ref);
        checkPosition(position, rows.length);
        const drafts = draftsOf(rows);
        const item = drafts.find((d) => d.id === row.id)!;
        await commit(rows, place(drafts.filter((d) => d !== item), item, position - 1));
        return store.listUpstreams();
      });
    },

    /** Rebuilds the pool after another node's edit (cluster), in turn with this node's own changes. */
    refresh: () => serial(async () => void (await deps.onChange?.())),

    /** Makes the store match the file's list (start, reload, SIGHUP). */
    reconcile(file: FileUpstream[]) {
      return serial(async () => {
        const plan = planReconcile(await store.listUpstreams(), file);
        await store.applyUpstreamChanges(plan);
        await deps.onChange?.();
        return plan;
      });
    },
  };
}

export type UpstreamService = ReturnType<typeof createUpstreamService>;
