// Limits and health shared by several Route nodes through Redis (--redis / ROUTE_REDIS), wired once
// for the daemon: two connections (commands; the health channel's subscriber), the shared counters,
// the link's state with its metric and alerts, node presence, and the gates the guard and the key
// admission ask. Without --redis none of this exists and every decision stays local and synchronous.
import { Counter, Gauge, type Registry } from "prom-client";
import type { SharedKeyGate } from "../keys/admission.ts";
import type { KeyRegistry } from "../keys/registry.ts";
import type { Logger } from "../log.ts";
import type { NotifyEvent } from "../notify/events.ts";
import type { SharedLimitGate } from "../routing/guard.ts";
import type { HealthBook } from "../routing/health-book.ts";
import type { LimitBook } from "../routing/limit-book.ts";
import { dayClock } from "../routing/limits.ts";
import { connectQuietly, openRedis, redactRedisUrl } from "./connection.ts";
import { createCounters } from "./counters.ts";
import { createKeyClaims } from "./key-claims.ts";
import { watchLink } from "./link.ts";
import type { OutageMode } from "./outage.ts";
import { startPresence } from "./presence.ts";
import { shareHealth } from "./shared-health.ts";
import { createSharedLimits } from "./shared-limits.ts";
import { createUpstreamClaims } from "./upstream-claims.ts";

export interface RedisSharingOptions {
  url: string;
  prefix?: string;
  nodeId: string;
  /** redis_outage, as the config says now. */
  mode: () => OutageMode;
  /** The configured time zone (rpd's day). */
  timeZone: () => string;
  emit: (e: NotifyEvent) => void;
  log: Logger;
  /** Live nodes from a cluster store's heartbeats; default: Redis's own presence set. */
  liveNodes?: () => number;
  now?: () => number;
}

export async function startRedisSharing(o: RedisSharingOptions) {
  const now = o.now ?? Date.now;
  const prefix = o.prefix ?? "route:";
  const shown = redactRedisUrl(o.url);
  const redis = openRedis({ url: o.url, prefix });
  const sub = openRedis({ url: o.url, prefix });
  let clock = { tz: "", days: dayClock("UTC") };
  const days = () => {
    const tz = o.timeZone();
    if (tz !== clock.tz) clock = { tz, days: dayClock(tz) };
    return clock.days;
  };
  const outageDecisions = new Map<OutageMode, number>();
  let closing = false;
  const link = watchLink(redis, {
    down(at) {
      if (closing) return;
      o.log.warn("Redis unreachable: shared limits decided by this node alone", { redis: shown, redis_outage: o.mode() });
      o.emit({ type: "redis_down", summary: `Redis (${shown}) cannot be reached: limits are enforced by redis_outage: ${o.mode()} until it returns`, at });
    },
    up(downForMs) {
      o.log.info("Redis reachable again: shared limits resume", { redis: shown, down_ms: downForMs });
      o.emit({ type: "redis_recovered", summary: `Redis (${shown}) is reachable again after ${Math.round(downForMs / 1000)} s: shared limits resume`, at: now() });
    },
  }, now);
  const counters = createCounters(redis, { prefix, nodeId: o.nodeId, clock: days, now });
  let resyncHealth = async () => {};
  let keyScopes: () => { kind: "k"; id: number }[] = () => [];
  const presence = startPresence(redis, { prefix, nodeId: o.nodeId, now, onBeat: (ids) => counters.sweep(keyScopes(), ids) });
  const shared = createSharedLimits({
    counters,
    link,
    mode: o.mode,
    liveNodes: o.liveNodes ?? presence.count,
    toMidnight: () => days().nextMidnight(now()) - now(),
    onOutageDecision: (mode) => outageDecisions.set(mode, (outageDecisions.get(mode) ?? 0) + 1),
    now,
  });
  await Promise.all([connectQuietly(redis), connectQuietly(sub)]);

  return {
    link,
    /** Once alerts can be sent: a node that starts without Redis reports the outage. */
    started: () => link.started(),
    /** route_redis_up and route_redis_outage_decisions_total on the daemon's registry. */
    register(registry: Registry): void {
      new Gauge({
        name: "route_redis_up",
        help: "1 while Redis (shared limits and health) is reachable, else 0.",
        registers: [registry],
        collect() {
          this.set(link.up ? 1 : 0);
        },
      });
      new Counter({
        name: "route_redis_outage_decisions_total",
        help: "Limit decisions this node took alone while Redis was unreachable, by redis_outage mode.",
        labelNames: ["mode"],
        registers: [registry],
        collect() {
          this.reset();
          for (const [mode, n] of outageDecisions) this.inc({ mode }, n);
        },
      });
    },
    counters,
    presence,
    /** The guard's shared side (routing/guard.ts). */
    upstreams: (limits: LimitBook, health: HealthBook): SharedLimitGate => createUpstreamClaims({ shared, limits, health, now }),
    /** The key admission's shared side; its keys with max_inflight are swept of dead nodes' requests. */
    keys(registry: KeyRegistry): SharedKeyGate {
      keyScopes = () => registry.all().filter((e) => (e.record.maxInflight ?? -1) >= 0).map((e) => ({ kind: "k" as const, id: e.id }));
      return createKeyClaims(shared, registry);
    },
    /** Shares this node's health verdicts and applies the others'. */
    health(health: HealthBook, ids: () => readonly number[], misconfiguredTtlMs: () => number): void {
      resyncHealth = shareHealth({ redis, sub, prefix, nodeId: o.nodeId, health, ids, misconfiguredTtlMs, now }).resync;
    },
    /** After a pool rebuild (new breakers): the verdicts other nodes hold for its upstreams. */
    resyncHealth: () => void resyncHealth().catch(() => {}),
    /** For /health: degraded while Redis is away. */
    state: () => ({ up: link.up, since: link.since, mode: o.mode() }),
    async close(): Promise<void> {
      await presence.leave();
      closing = true;
      redis.disconnect();
      sub.disconnect();
    },
  };
}

export type RedisSharing = Awaited<ReturnType<typeof startRedisSharing>>;
