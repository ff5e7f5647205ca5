// Live per-upstream stats for stats.snapshot / stats.tick, fed with the request-log rows as they
// are written (off the response path). Attempts count for the upstream they went to; latency and
// time to first token count for the upstream that answered.
import type { z } from "zod";
import type { statsSchema } from "../../shared/rpc/contract.ts";
import { statusClass } from "../metrics/registry.ts";
import { healthView, isUp, type Live } from "../routing/live.ts";
import type { Pool, PoolUpstream } from "../routing/pool.ts";
import type { LogRow } from "../store/types.ts";
import { createWindow, type SlidingWindow } from "./window.ts";

export type StatsSnapshot = z.input<typeof statsSchema>;

// Outcomes that are not the upstream's failure: a success, the client's own 4xx, the client leaving.
const NOT_FAILURES = new Set(["ok", "http_4xx", "client_closed"]);

/** "down": enabled but out of rotation (cooling, half-open, misconfigured), as route_upstream_up says. */
export function upstreamState(u: PoolUpstream, live: Live): "up" | "down" | "disabled" {
  if (!u.enabled) return "disabled";
  return isUp(u, live) ? "up" : "down";
}

/** `sessions`: live session-affinity entries, daemon-wide. */
export function createStatsCollector(opts: { now?: () => number; windowS?: number; sessions?: () => number } = {}) {
  const now = opts.now ?? Date.now;
  const windowS = opts.windowS ?? 60;
  const started = now(); // rates divide by time observed, the same for every window
  const make = () => createWindow({ seconds: windowS, now, since: started });
  const requests = make();
  const upstreams = new Map<number, SlidingWindow>();
  const windowOf = (id: number) => {
    let w = upstreams.get(id);
    if (!w) upstreams.set(id, (w = make()));
    return w;
  };
  // Prompt and cached prompt tokens the upstream reported, for its cache hit rate.
  const tokens = new Map<number, SlidingWindow>();
  const tokensOf = (id: number) => {
    let w = tokens.get(id);
    if (!w) tokens.set(id, (w = createWindow({ seconds: windowS, now, since: started, samples: 1 })));
    return w;
  };
  const cachedRatio = (id: number): number | null => {
    const t = tokens.get(id)?.read().outcomes;
    return t?.prompt ? (t.cached ?? 0) / t.prompt : null;
  };

  return {
    record(row: LogRow): void {
      requests.add(statusClass(row.status));
      for (const a of row.attempts) windowOf(a.upstreamId).add(a.outcome);
      const last = row.attempts.at(-1);
      if (last && row.upstreamId === last.upstreamId && (last.outcome === "ok" || last.outcome === "http_4xx")) {
        const w = windowOf(last.upstreamId);
        w.latency(row.totalMs);
        if (row.ttftMs !== null) w.ttft(row.ttftMs);
      }
      if (row.upstreamId !== null && row.promptTokens && !row.tokensEstimated) {
        const t = tokensOf(row.upstreamId);
        t.add("prompt", row.promptTokens);
        if (row.cachedTokens) t.add("cached", row.cachedTokens);
      }
    },

    snapshot(pool: Pool, inflight: number, live: Live): StatsSnapshot {
      const all = pool.all();
      for (const m of [upstreams, tokens]) for (const id of m.keys()) if (!pool.get(id)) m.delete(id); // removed upstreams
      const r = requests.read();
      return {
        ts: now(),
        windowS,
        totals: { rps: r.perSecond, requests: r.count, inflight, statusClasses: r.outcomes },
        sessions: opts.sessions?.() ?? 0,
        upstreams: all.map((u, i) => {
          const w = windowOf(u.id).read();
          const errors: Record<string, number> = {};
          let failed = 0;
          for (const [outcome, n] of Object.entries(w.outcomes)) {
            if (outcome === "ok") continue;
            errors[outcome] = n / w.count;
            if (!NOT_FAILURES.has(outcome)) failed += n;
          }
          return {
            id: u.id,
            label: u.label,
            position: i + 1,
            state: upstreamState(u, live),
            inflight: u.stats.inflight,
            rps: w.perSecond,
            attempts: w.count,
            errorRate: w.count ? failed / w.count : null,
            errors,
            latencyMs: w.latency,
            ttftMs: w.ttft,
            cachedRatio: cachedRatio(u.id),
            usage: live.limits.usage(u.id),
            remaining: live.limits.remaining(u.id),
            health: healthView(u, live),
          };
        }),
      };
    },
  };
}

export type StatsCollector = ReturnType<typeof createStatsCollector>;
