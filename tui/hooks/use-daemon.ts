// The connection to routed as the UI sees it: state (for the status bar and the banner), the
// daemon's status (address, uptime, pid), and a `generation` that grows on every (re)connection
// so data hooks know to refetch what they may have missed. Reconnection itself is the client's
// job (it retries with backoff and re-subscribes); this hook only starts it and watches.
import { useEffect, useState } from "react";
import type { DaemonStatusView } from "../../shared/rpc/contract.ts";
import type { ConnectionState, DaemonClient } from "../client.ts";

export interface Connection {
  state: ConnectionState;
  /** Why the last attempt failed or the connection was lost. */
  error: string | null;
  /** Grows on each successful connection: 1 after the first. */
  generation: number;
  status: DaemonStatusView | null;
  /** When status was read (local clock), to age uptime between reads. */
  statusAt: number;
  /** When the connection was last lost (local clock). */
  lostAt: number | null;
  /** Set when routed came back as a different process (it was restarted). */
  restarted: boolean;
}

/** How often daemon.status is read again while connected (the request log's health can change). */
const STATUS_REFRESH_MS = 10_000;

export function useDaemon(client: DaemonClient, now: () => number = Date.now, refreshMs = STATUS_REFRESH_MS): Connection {
  const [conn, setConn] = useState<Connection>({ state: client.state, error: null, generation: 0, status: null, statusAt: 0, lostAt: null, restarted: false });

  useEffect(() => {
    let alive = true;
    const onState = (state: ConnectionState, err?: { message: string }) => {
      if (!alive) return;
      if (state === "connected") {
        setConn((c) => ({ ...c, state, error: null, generation: c.generation + 1 }));
        client.call("daemon.status", {}).then(
          (status) => alive && setConn((c) => ({ ...c, status, statusAt: now(), restarted: c.status !== null && c.status.pid !== status.pid, lostAt: null })),
          () => {}, // lost again already: the next connection reads it
        );
      } else {
        setConn((c) => ({ ...c, state, error: err?.message ?? c.error, lostAt: state === "disconnected" ? (c.lostAt ?? now()) : c.lostAt }));
      }
    };
    const off = client.onState(onState);
    const refresh = setInterval(() => {
      if (client.state !== "connected") return;
      client.call("daemon.status", {}).then((status) => alive && setConn((c) => ({ ...c, status, statusAt: now() })), () => {});
    }, refreshMs);
    if (client.state === "connected") onState("connected");
    else if (client.state === "disconnected") client.connect().catch(() => {}); // with reconnect on, it keeps trying
    return () => {
      alive = false;
      clearInterval(refresh);
      off();
    };
  }, [client]);

  return conn;
}
