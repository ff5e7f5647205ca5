// Test helper: an in-memory ClusterStore that honours the contract, shareable by several daemons in
// one test so it acts like one database. `wrap(store)` gives a daemon a Store whose upstream and key
// edits bump the shared config version and notify every listener once the edit is done (Postgres
// does both in the edit's transaction; a listener hears it only after the commit, as here). The
// test can cut the listener (notifications are lost), reconnect it (every listener gets null), bump
// without notifying (a missed notification), make every cluster call fail, and move the clock.
import type { ClusterStore, NodeRecord, Store } from "../store/types.ts";

const EDITS = new Set<string | symbol>(["insertUpstream", "updateUpstream", "deleteUpstream", "applyUpstreamChanges", "insertKey", "updateKey", "deleteKey"]);

export function createFakeCluster(opts: { now?: () => number } = {}) {
  let clock = opts.now ?? Date.now;
  let version = 0;
  let connected = true;
  let failure: Error | null = null;
  const meta = new Map<string, string>();
  const nodes = new Map<string, NodeRecord>();
  const listeners = new Set<(v: number | null) => void>();
  const calls = { configVersion: 0, watchConfig: 0, heartbeat: 0, notified: 0 };

  const guard = () => {
    if (failure) throw failure;
  };
  /** Notifications arrive after the edit, on a later tick, like NOTIFY after COMMIT. */
  const tell = (v: number | null, to: Iterable<(v: number | null) => void> = [...listeners]) => {
    for (const l of to) {
      setTimeout(() => {
        if (!listeners.has(l)) return;
        calls.notified++;
        l(v);
      }, 0);
    }
  };

  function bump(notify = true): number {
    version++;
    if (notify && connected) tell(version);
    return version;
  }

  const cluster: ClusterStore = {
    async configVersion() {
      calls.configVersion++;
      guard();
      return version;
    },
    async watchConfig(onChange) {
      calls.watchConfig++;
      guard();
      listeners.add(onChange);
      tell(null, [onChange]); // "after every (re)connection", the first included
      return async () => void listeners.delete(onChange);
    },
    async heartbeat(node) {
      calls.heartbeat++;
      guard();
      nodes.set(node.id, { ...structuredClone(node), beatAt: clock() });
    },
    async listNodes() {
      guard();
      return [...nodes.values()].map((n) => structuredClone(n));
    },
    async removeNode(id) {
      guard();
      nodes.delete(id);
    },
    async getMeta(key) {
      guard();
      return meta.get(key) ?? null;
    },
    async setMeta(key, value) {
      guard();
      meta.set(key, value);
    },
  };

  return {
    cluster,
    calls,
    meta,
    nodes,
    get version() {
      return version;
    },
    get listeners() {
      return listeners.size;
    },
    /** The store as a node sees it: `cluster` added, edits bump and notify. */
    wrap(store: Store): Store {
      return new Proxy(store, {
        get(target, prop, receiver) {
          if (prop === "cluster") return cluster;
          const v = Reflect.get(target, prop, receiver);
          if (!EDITS.has(prop) || typeof v !== "function") return v;
          return async (...args: unknown[]) => {
            const out = await v.apply(target, args);
            bump();
            return out;
          };
        },
      });
    },
    bump,
    /** The listener connection drops: notifications sent meanwhile are lost. */
    disconnect: () => void (connected = false),
    /** It comes back: every listener hears null (it may have missed something). */
    reconnect() {
      connected = true;
      tell(null);
    },
    /** Every cluster call fails with `err` until called with null. */
    fail: (err: Error | null) => void (failure = err),
    setClock: (now: () => number) => void (clock = now),
  };
}

export type FakeCluster = ReturnType<typeof createFakeCluster>;

/** Resolves once `check` holds; fails past the deadline (a condition, never a fixed sleep). */
export async function until(check: () => boolean | Promise<boolean>, what: string, deadlineMs = 5000): Promise<void> {
  const end = performance.now() + deadlineMs;
  while (!(await check())) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(5);
  }
}
