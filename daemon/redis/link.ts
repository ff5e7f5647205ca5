// Is Redis usable right now? Followed from the connection's own events (ready / close), plus the
// commands' results: a connection that stays open but whose commands keep timing out (a hung or
// blackholed Redis) is dropped after a few failures in a row, so the reconnection decides again.
import type Redis from "ioredis";

const FAILURES_TO_DROP = 3;

export interface LinkEvents {
  down(since: number): void;
  up(downForMs: number): void;
}

export function watchLink(redis: Redis, events: LinkEvents, now: () => number = Date.now) {
  let up = false;
  let known = false; // transitions are reported once started() said how the node began
  let since = now();
  let failures = 0;
  const set = (next: boolean) => {
    if (next === up) return;
    up = next;
    const was = since;
    since = now();
    if (!known) return;
    if (next) events.up(since - was);
    else events.down(since);
  };
  redis.on("ready", () => {
    failures = 0;
    set(true);
  });
  redis.on("close", () => set(false));
  redis.on("end", () => set(false));

  return {
    get up() {
      return up;
    },
    /** Since when the link is in its state (ms). */
    get since() {
      return since;
    },
    /** After the first connection attempt: a node that starts without Redis is in an outage (reported). */
    started(): void {
      known = true;
      up = redis.status === "ready";
      since = now();
      if (!up) events.down(since);
    },
    ok(): void {
      failures = 0;
    },
    failed(): void {
      if (++failures < FAILURES_TO_DROP || !up) return;
      failures = 0;
      set(false);
      redis.disconnect(true); // reconnects: "ready" brings the link back
    },
  };
}

export type Link = ReturnType<typeof watchLink>;
