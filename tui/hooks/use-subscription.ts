// One live subscription (logs.subscribe, stats.subscribe) for as long as the component wants it.
// It is made once connected; after that the client re-subscribes by itself on every reconnection,
// so this hook does not touch it again unless `key` (the params) changes. `onReady` runs once the
// subscription is in place and after every later reconnection: the moment to backfill what a
// subscription cannot replay (logs written while the TUI was away).
import { useEffect, useRef } from "react";
import type { Notification, Params, SubscribeMethod, subscriptions } from "../../shared/rpc/contract.ts";
import type { DaemonClient, Subscription } from "../client.ts";

type EventOf<M extends SubscribeMethod> = Notification<(typeof subscriptions)[M]["notification"]>;

interface Current {
  key: string;
  sub: Subscription | null;
  pending: boolean;
  dead: boolean;
}

export function useSubscription<M extends SubscribeMethod>(
  client: DaemonClient,
  generation: number,
  method: M,
  params: Params<M>,
  key: string,
  onEvent: (e: EventOf<M>) => void,
  onReady?: () => void,
): void {
  const handlers = useRef({ onEvent, onReady });
  handlers.current = { onEvent, onReady };
  const cur = useRef<Current | null>(null);

  useEffect(() => {
    if (generation === 0) return;
    const c = cur.current;
    if (c && c.key === key && (c.sub || c.pending)) {
      if (c.sub) handlers.current.onReady?.(); // a reconnection: the client re-subscribed it already
      return;
    }
    if (c) {
      c.dead = true;
      c.sub?.cancel().catch(() => {});
    }
    const me: Current = { key, sub: null, pending: true, dead: false };
    cur.current = me;
    client.subscribe(method, params, (e) => !me.dead && handlers.current.onEvent(e)).then(
      (s) => {
        me.pending = false;
        if (me.dead) return void s.cancel().catch(() => {});
        me.sub = s;
        handlers.current.onReady?.();
      },
      () => {
        me.pending = false; // the connection went: the next generation tries again
      },
    );
  }, [client, key, generation]);

  useEffect(
    () => () => {
      const c = cur.current;
      if (!c) return;
      c.dead = true;
      c.sub?.cancel().catch(() => {});
    },
    [],
  );
}
