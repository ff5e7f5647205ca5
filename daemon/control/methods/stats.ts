// stats.*: a snapshot on demand, and one `stats.tick` per interval to every subscriber. The
// snapshot is computed once per tick for all of them, and only while someone is subscribed.
import type { Live } from "../../routing/live.ts";
import type { Pool } from "../../routing/pool.ts";
import type { StatsCollector } from "../../stats/collector.ts";
import type { Connection, Handlers } from "../server.ts";

export function statsMethods(stats: StatsCollector, pool: Pool, inflight: () => number, tickMs: number, live: Live) {
  const subs = new Map<string, Connection>();
  let timer: ReturnType<typeof setInterval> | undefined;
  let nextSub = 1;
  const snapshot = () => stats.snapshot(pool, inflight(), live);

  function tick() {
    const s = snapshot();
    for (const [subscription, conn] of subs) conn.notify("stats.tick", { subscription, stats: s });
  }
  function remove(subscription: string): boolean {
    const had = subs.delete(subscription);
    if (subs.size === 0 && timer !== undefined) {
      clearInterval(timer);
      timer = undefined;
    }
    return had;
  }

  const handlers = {
    "stats.snapshot": () => snapshot(),
    "stats.subscribe": (_p, conn) => {
      const subscription = `stats-${nextSub++}`;
      subs.set(subscription, conn);
      conn.onClose(() => remove(subscription));
      timer ??= setInterval(tick, tickMs);
      return { subscription };
    },
    "stats.unsubscribe": (p) => ({ ok: remove(p.subscription) }),
  } satisfies Partial<Handlers>;

  return { handlers, close: () => clearInterval(timer) };
}
