// A fake routed behind the same interface as shared/rpc/client.ts, for screen tests: upstreams,
// logs and stats in memory; params checked and results parsed with the real contract; refusals
// with the daemon's codes (duplicate_name, invalid_params with problems, not_found). Tests push
// notifications (logs.entry, stats.tick) and take the connection down and back up.
import { methods, type LogRecordView, type MethodName, type Notification, type Params, type Result, type StatsView, type SubscribeMethod, type subscriptions, type UpstreamView } from "../../shared/rpc/contract.ts";
import { RpcError } from "../../shared/rpc/errors.ts";
import type { ConnectionState, DaemonClient, Subscription } from "../client.ts";
import type { KeyView } from "../../shared/rpc/keys-contract.ts";
import { createFakeKeys } from "./fake-keys.ts";
import { makeHistory, makeStats, makeUpstream, summaryOf } from "./fixtures.ts";

type EventOf<M extends SubscribeMethod> = Notification<(typeof subscriptions)[M]["notification"]>;
interface Sub {
  method: SubscribeMethod;
  params: any;
  onEvent: (e: any) => void;
  id: string;
}

/** The log filters the fake applies (text, key, model, status class), as routed would. */
const logMatches = (l: LogRecordView, f: { text?: string; key?: string; model?: string; status?: string | number }) =>
  (!f.text || (l.replyText ?? "").includes(f.text)) && (!f.key || l.keyName === f.key) && (!f.model || l.model === f.model) && (f.status === undefined || String(l.status)[0] === String(f.status)[0]);

export function createFakeClient(opts: { socketPath?: string; upstreams?: UpstreamView[]; logs?: LogRecordView[]; keys?: KeyView[] } = {}) {
  let state: ConnectionState = "disconnected";
  let up = true; // whether "routed" is running
  let nextSub = 1;
  let nextId = 1 + (opts.upstreams?.length ?? 0);
  let upstreams: UpstreamView[] = opts.upstreams ?? [];
  const logs: LogRecordView[] = opts.logs ?? [];
  const keys = createFakeKeys(opts.keys);
  const listeners = new Set<(s: ConnectionState, err?: RpcError) => void>();
  const subs = new Set<Sub>();
  const calls: { method: string; params: any }[] = [];
  /** Per method: throw this instead of answering (once). */
  const failNext = new Map<string, RpcError>();
  let testResult: Result<"upstreams.test"> | null = null;
  let pid = 100;
  /** stats.history by bucket: empty 24 h and 30 d unless a test sets them. */
  const history = { hour: makeHistory("hour", new Array(25).fill(0)), day: makeHistory("day", new Array(31).fill(0)) };
  /** cluster.nodes: one node (SQLite) unless a test sets a cluster. */
  let cluster: Result<"cluster.nodes"> = { clustered: false, heartbeatMs: 5000, nodes: [{ id: "route-000000aaaaaa", address: "127.0.0.1:8888", version: "0.1.0", startedAt: Date.now() - 65_000, inflight: 0, beatAt: Date.now(), state: "live", self: true, stats: null }] };

  const setState = (s: ConnectionState, err?: RpcError) => {
    state = s;
    for (const l of listeners) l(s, err);
  };
  const renumber = () => (upstreams = upstreams.map((u, i) => ({ ...u, position: i + 1 })));
  const find = (ref: number | string) => {
    const u = upstreams.find((x) => x.id === Number(ref) || x.name === ref);
    if (!u) throw new RpcError("not_found", `no upstream ${ref}`, { upstream: ref });
    return u;
  };
  const replace = (u: UpstreamView) => (upstreams = upstreams.map((x) => (x.id === u.id ? u : x)));
  const checkName = (name: string | null | undefined, id?: number) => {
    if (name && upstreams.some((u) => u.name === name && u.id !== id)) throw new RpcError("duplicate_name", `an upstream named "${name}" exists; choose another name`, { name });
  };

  const handlers: { [M in MethodName]?: (p: any) => unknown } = {
    "daemon.status": () => ({ version: "0.1.0", protocol: 1, pid, startedAt: Date.now() - 65_000, uptimeS: 65, addr: "127.0.0.1:8888", db: "./db.sqlite", upstreamsFile: null, socket: client.socketPath, draining: false, counts: { upstreams: upstreams.length, enabled: upstreams.filter((u) => u.enabled).length, inflight: 0, logs: logs.length } }),
    "upstreams.list": () => ({ upstreams }),
    "upstreams.add": (p: Params<"upstreams.add">) => {
      checkName(p.name);
      const u = makeUpstream({ id: nextId++, name: p.name ?? null, endpoint: p.endpoint, sk: `****${p.sk.slice(-4)}`, timeoutMs: p.timeoutMs ?? null, streamTimeoutMs: p.streamTimeoutMs ?? null, enabled: p.enabled ?? true });
      upstreams = [...upstreams, u];
      renumber();
      return find(u.id);
    },
    "upstreams.update": (p: Params<"upstreams.update">) => {
      const u = find(p.upstream);
      checkName(p.patch.name, u.id);
      const patch = { ...p.patch, ...(p.patch.sk ? { sk: `****${p.patch.sk.slice(-4)}` } : {}) };
      const next = { ...u, ...patch } as UpstreamView;
      next.label = next.name ?? `#${next.id}`;
      replace(next);
      return next;
    },
    "upstreams.remove": (p) => {
      const u = find(p.upstream);
      upstreams = upstreams.filter((x) => x.id !== u.id);
      renumber();
      return u;
    },
    "upstreams.move": (p) => {
      const u = find(p.upstream);
      if (p.position > upstreams.length) throw new RpcError("invalid_position", `position must be 1 to ${upstreams.length}`);
      const rest = upstreams.filter((x) => x.id !== u.id);
      rest.splice(p.position - 1, 0, u);
      upstreams = rest;
      renumber();
      return { upstreams };
    },
    "upstreams.enable": (p) => (replace({ ...find(p.upstream), enabled: true, state: "up" }), find(p.upstream)),
    "upstreams.disable": (p) => (replace({ ...find(p.upstream), enabled: false, state: "disabled" }), find(p.upstream)),
    "upstreams.test": (p) => (find(p.upstream), testResult ?? { ok: true, url: `${find(p.upstream).endpoint}/models`, status: 200, latencyMs: 42, models: 3, error: null }),
    "logs.query": (p) => {
      // Newest first from the cursor on; `search`: every word somewhere in the reply, any case.
      const words = (p.search ?? "").toLowerCase().split(/\s+/).filter(Boolean);
      const matched = logs
        .filter((l) => logMatches(l, p) && (!p.before || l.id < p.before) && words.every((w: string) => (l.replyText ?? "").toLowerCase().includes(w)))
        .reverse();
      const entries = matched.slice(0, p.limit ?? 50).map(summaryOf);
      return { entries, next: matched.length > entries.length ? entries.at(-1)!.id : null };
    },
    "logs.get": (p) => {
      const r = logs.find((l) => l.id === p.id || l.id.endsWith(p.id));
      if (!r) throw new RpcError("not_found", `no request log with id ${p.id}`);
      return r;
    },
    "logs.subscribe": () => ({ subscription: `logs-${nextSub++}` }),
    "logs.unsubscribe": () => ({ ok: true }),
    "stats.snapshot": () => makeStats(upstreams),
    "stats.subscribe": () => ({ subscription: `stats-${nextSub++}` }),
    "stats.unsubscribe": () => ({ ok: true }),
    "stats.history": (p) => history[(p.bucket ?? "hour") as "hour" | "day"],
    ...keys.handlers,
    "cluster.nodes": () => cluster,
  };

  async function call<M extends MethodName>(method: M, params: Params<M>): Promise<Result<M>> {
    await Promise.resolve(); // answers are asynchronous, as over a socket
    if (state !== "connected") throw new RpcError("daemon_unreachable", `not connected to routed at ${client.socketPath}`);
    calls.push({ method, params });
    const parsed = methods[method].params.safeParse(params ?? {});
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "params"}: ${i.message}`);
      throw new RpcError("invalid_params", `invalid params for ${method}: ${problems.join("; ")}`, { problems });
    }
    const fail = failNext.get(method);
    if (fail) {
      failNext.delete(method);
      throw fail;
    }
    const handler = handlers[method];
    if (!handler) throw new RpcError("method_not_found", `fake routed has no ${method}`);
    return methods[method].result.parse(handler(parsed.data)) as Result<M>;
  }

  const client = {
    socketPath: opts.socketPath ?? "/tmp/fake/routed.sock",
    get state() {
      return state;
    },
    async connect() {
      if (!up) {
        setState("disconnected", new RpcError("daemon_unreachable", "cannot reach routed (fake: down)"));
        throw new RpcError("daemon_unreachable", "cannot reach routed (fake: down)");
      }
      setState("connected");
    },
    call,
    async subscribe<M extends SubscribeMethod>(method: M, params: Params<M>, onEvent: (e: EventOf<M>) => void): Promise<Subscription> {
      const r = (await call(method, params)) as { subscription: string };
      const sub: Sub = { method, params, onEvent, id: r.subscription };
      subs.add(sub);
      return { id: sub.id, cancel: async () => void subs.delete(sub) };
    },
    onState(l: (s: ConnectionState, err?: RpcError) => void) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    close() {
      setState("closed");
    },
  } satisfies DaemonClient;

  return {
    client: client as DaemonClient,
    calls,
    subs,
    get upstreams() {
      return upstreams;
    },
    get keys() {
      return keys.keys;
    },
    setKeyStanding: keys.setStanding,
    failNext: (method: MethodName, err: RpcError) => failNext.set(method, err),
    setTestResult: (r: Result<"upstreams.test">) => (testResult = r),
    setCluster: (r: Result<"cluster.nodes">) => (cluster = r),
    setHistory: (bucket: "hour" | "day", h: Result<"stats.history">) => (history[bucket] = h),
    /** Records a finished request and notifies the matching log subscriptions. */
    emitLog(record: LogRecordView) {
      logs.push(record);
      for (const s of subs) if (s.method === "logs.subscribe" && logMatches(record, s.params)) s.onEvent({ subscription: s.id, entry: summaryOf(record) });
    },
    emitStats(stats: StatsView = makeStats(upstreams)) {
      for (const s of subs) if (s.method === "stats.subscribe") s.onEvent({ subscription: s.id, stats });
    },
    /** routed goes away: the connection drops (the real client then retries). */
    goDown() {
      up = false;
      setState("disconnected", new RpcError("connection_lost", "lost the connection to routed"));
    },
    /** routed is back (a new process): subscriptions are re-made, as the real client does. */
    comeBack() {
      up = true;
      pid++;
      setState("connecting");
      for (const s of subs) s.id = `${s.method.split(".")[0]}-${nextSub++}`;
      setState("connected");
    },
  };
}

export type FakeRouted = ReturnType<typeof createFakeClient>;
