// The control-socket client used by routectl and route-tui: connect, typed calls checked against
// the contract, subscriptions, and (for the TUI) reconnection that re-establishes subscriptions.
import { lstatSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { createJSONRPCErrorResponse, createJSONRPCRequest, JSONRPCClient, type JSONRPCResponse } from "json-rpc-2.0";
import { isMethod, methods, notifications, subscriptions, type MethodName, type Notification, type Params, type Result, type SubscribeMethod } from "./contract.ts";
import { codeForNumber, RpcError, type RpcErrorCode } from "./errors.ts";
import { CLIENT_MAX_LINE, createLineReader, encodeFrame } from "./framing.ts";

export type ConnectionState = "connecting" | "connected" | "disconnected" | "closed";

export interface RpcClientOptions {
  socketPath: string;
  /** Keep reconnecting when the daemon goes away, re-subscribing on return (route-tui). */
  reconnect?: boolean;
  backoff?: { minMs: number; maxMs: number };
  /** Per call; upstreams.test can take as long as the upstream's timeout. Default 120 s. */
  callTimeoutMs?: number;
}

type EventOf<M extends SubscribeMethod> = Notification<(typeof subscriptions)[M]["notification"]>;

interface LocalSub {
  method: SubscribeMethod;
  params: unknown;
  onEvent: (event: any) => void;
  serverId: string | null;
}

export interface Subscription {
  readonly id: string;
  cancel(): Promise<void>;
}

const HINT = "is routed running? Start it with `routed start`, or pass --socket / set ROUTE_SOCKET to where it listens";

/** The socket must belong to us (or root): otherwise another user could be listening for our commands. */
function checkSocket(path: string): void {
  let st;
  try {
    st = lstatSync(path);
  } catch (err) {
    throw new RpcError("daemon_unreachable", `cannot reach routed at ${path} (${(err as NodeJS.ErrnoException).code ?? "error"}): ${HINT}`, { socket: path });
  }
  const me = process.getuid?.() ?? 0;
  if (me !== 0 && st.uid !== me && st.uid !== 0) {
    throw new RpcError("daemon_unreachable", `refusing to use ${path}: it belongs to uid ${st.uid}, not you (uid ${me}); check --socket / ROUTE_SOCKET`, { socket: path });
  }
}

export function createRpcClient(opts: RpcClientOptions) {
  const backoff = opts.backoff ?? { minMs: 200, maxMs: 5000 };
  const callTimeoutMs = opts.callTimeoutMs ?? 120_000;
  let socket: Socket | null = null;
  let state: ConnectionState = "disconnected";
  let closedByUser = false;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let delay = backoff.minMs;
  let nextId = 1;
  const pending = new Map<number, ReturnType<typeof setTimeout>>();
  const listeners = new Set<(s: ConnectionState, err?: RpcError) => void>();
  const subs = new Set<LocalSub>();
  const byServerId = new Map<string, LocalSub>();
  const early = new Map<string, unknown[]>(); // notifications that beat their subscribe answer

  const rpc = new JSONRPCClient((payload) => {
    if (!socket) throw new Error("not connected");
    socket.write(encodeFrame(payload));
  });

  function setState(s: ConnectionState, err?: RpcError) {
    state = s;
    for (const l of listeners) l(s, err);
  }

  function failPending(code: RpcErrorCode, message: string) {
    for (const [id, timer] of pending) {
      clearTimeout(timer);
      rpc.receive(createJSONRPCErrorResponse(id, -32000, message, { code }));
    }
    pending.clear();
  }

  function onMessage(line: string) {
    let msg: any;
    try {
      msg = JSON.parse(line);
    } catch {
      return; // routed only sends JSON; a broken line is dropped, not fatal
    }
    if (msg && typeof msg.method === "string" && msg.id === undefined) return onNotification(msg.method, msg.params);
    if (msg && "id" in msg) {
      const timer = pending.get(msg.id);
      if (timer !== undefined) {
        clearTimeout(timer);
        pending.delete(msg.id);
      }
      rpc.receive(msg as JSONRPCResponse);
    }
  }

  function onNotification(method: string, params: unknown) {
    const schema = notifications[method as keyof typeof notifications];
    const parsed = schema?.safeParse(params);
    if (!parsed?.success) return;
    const sub = byServerId.get(parsed.data.subscription);
    if (sub) return sub.onEvent(parsed.data);
    const list = early.get(parsed.data.subscription) ?? [];
    if (early.size < 16 && list.length < 256) early.set(parsed.data.subscription, [...list, parsed.data]);
  }

  function open(): Promise<void> {
    setState("connecting");
    return new Promise((resolve, reject) => {
      try {
        checkSocket(opts.socketPath);
      } catch (err) {
        return reject(err);
      }
      const s = connect(opts.socketPath);
      let connected = false;
      const reader = createLineReader(onMessage, CLIENT_MAX_LINE, () => s.destroy(new Error("line too long")));
      s.on("data", (chunk: Buffer) => reader.push(chunk));
      s.once("connect", () => {
        connected = true;
        socket = s;
        delay = backoff.minMs;
        resolve(); // "connected" is announced by the caller, once subscriptions are back
      });
      s.on("error", (err: NodeJS.ErrnoException) => {
        if (connected) return; // "close" follows and handles it
        reject(new RpcError("daemon_unreachable", `cannot reach routed at ${opts.socketPath} (${err.code ?? err.message}): ${HINT}`, { socket: opts.socketPath }));
      });
      s.on("close", () => {
        if (!connected) return;
        socket = null;
        failPending("connection_lost", `routed closed the connection (${opts.socketPath})`);
        byServerId.clear();
        if (closedByUser) return setState("closed");
        setState("disconnected", new RpcError("connection_lost", `lost the connection to routed at ${opts.socketPath}`));
        if (opts.reconnect) scheduleRetry();
      });
    });
  }

  function scheduleRetry() {
    clearTimeout(retryTimer);
    retryTimer = setTimeout(() => {
      open().then(
        () => resubscribe(),
        (err) => {
          setState("disconnected", err);
          if (!closedByUser) scheduleRetry();
        },
      );
    }, delay);
    delay = Math.min(backoff.maxMs, delay * 2);
  }

  async function resubscribe() {
    for (const sub of subs) {
      try {
        await register(sub);
      } catch (err) {
        if (!socket) return; // lost again: the next reconnection retries every subscription
        subs.delete(sub); // refused by the daemon as it is now: drop it
      }
    }
    if (socket) setState("connected");
  }

  async function register(sub: LocalSub) {
    const r = (await call(sub.method, sub.params as never)) as { subscription: string };
    sub.serverId = r.subscription;
    byServerId.set(r.subscription, sub);
    for (const event of early.get(r.subscription) ?? []) sub.onEvent(event);
    early.delete(r.subscription);
  }

  async function call<M extends MethodName>(method: M, params: Params<M>): Promise<Result<M>> {
    if (!isMethod(method)) throw new RpcError("method_not_found", `unknown method ${method}`);
    if (!socket) throw new RpcError("daemon_unreachable", `not connected to routed at ${opts.socketPath}: ${HINT}`, { socket: opts.socketPath });
    const id = nextId++;
    pending.set(
      id,
      setTimeout(() => {
        pending.delete(id);
        rpc.receive(createJSONRPCErrorResponse(id, -32000, `routed did not answer ${method} within ${callTimeoutMs} ms`, { code: "timeout" }));
      }, callTimeoutMs),
    );
    const res = await rpc.requestAdvanced(createJSONRPCRequest(id, method, params ?? {}));
    if (res.error) {
      const data = (res.error.data ?? {}) as Record<string, unknown>;
      const code = typeof data.code === "string" ? (data.code as RpcErrorCode) : codeForNumber(res.error.code);
      throw new RpcError(code, res.error.message, data);
    }
    const parsed = methods[method].result.safeParse(res.result);
    if (!parsed.success) throw new RpcError("bad_response", `routed's answer to ${method} does not match this client's contract: ${parsed.error.issues[0]?.message}`);
    return parsed.data as Result<M>;
  }

  return {
    get state() {
      return state;
    },
    get socketPath() {
      return opts.socketPath;
    },
    /** Resolves once connected. Without `reconnect` a failure rejects (daemon_unreachable); with it, retries continue. */
    connect(): Promise<void> {
      closedByUser = false;
      return open().then(() => setState("connected")).catch((err) => {
        if (opts.reconnect) {
          setState("disconnected", err);
          scheduleRetry();
        }
        throw err;
      });
    },
    call,
    /** Starts a subscription; `onEvent` gets each notification (`logs.entry`, `stats.tick`). */
    async subscribe<M extends SubscribeMethod>(method: M, params: Params<M>, onEvent: (event: EventOf<M>) => void): Promise<Subscription> {
      const sub: LocalSub = { method, params, onEvent, serverId: null };
      await register(sub);
      subs.add(sub);
      return {
        id: sub.serverId!,
        async cancel() {
          subs.delete(sub);
          if (sub.serverId) byServerId.delete(sub.serverId);
          if (socket && sub.serverId) await call(subscriptions[method].unsubscribe, { subscription: sub.serverId }).catch(() => {});
        },
      };
    },
    /** Connection state changes (the TUI's "disconnected" banner). Returns the unsubscribe function. */
    onState(listener: (s: ConnectionState, err?: RpcError) => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close(): void {
      closedByUser = true;
      clearTimeout(retryTimer);
      subs.clear();
      failPending("connection_lost", "client closed");
      if (socket) socket.end();
      else setState("closed");
    },
  };
}

export type RpcClient = ReturnType<typeof createRpcClient>;
