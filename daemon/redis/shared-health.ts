// Health verdicts shared by the nodes: when this node's breaker takes an upstream out (or lets it
// back), it writes the verdict under a key that lives as long as the cooldown and publishes it, so
// every node applies it at once. Remote verdicts go into the health book without alerts and without
// being published again (no echo); the verdict keys are re-read after every (re)connection, since
// messages sent while a node was away are lost.
import type Redis from "ioredis";
import type { HealthBook, Transition } from "../routing/health-book.ts";
import type { HealthSnapshot } from "../routing/health.ts";

export interface HealthVerdict {
  node: string;
  id: number;
  state: "cooling" | "misconfigured" | "healthy";
  until: number;
  reason: string | null;
}

const MAX_MESSAGE = 4096;
const STATES = new Set(["cooling", "misconfigured", "healthy"]);

/** A message from the channel, or null when it is not one of ours (anything may be published there). */
export function parseVerdict(raw: string): HealthVerdict | null {
  if (raw.length > MAX_MESSAGE) return null;
  try {
    const v = JSON.parse(raw);
    if (typeof v?.node !== "string" || !Number.isInteger(v.id) || !STATES.has(v.state) || typeof v.until !== "number") return null;
    return { node: v.node, id: v.id, state: v.state, until: v.until, reason: typeof v.reason === "string" ? v.reason.slice(0, 500) : null };
  } catch {
    return null;
  }
}

export interface SharedHealthDeps {
  redis: Redis; // commands
  sub: Redis; // subscriber connection
  prefix: string;
  nodeId: string;
  health: HealthBook;
  /** The upstreams to re-read after a reconnection. */
  ids: () => readonly number[];
  /** How long a misconfigured verdict is kept (it has no cooldown of its own). */
  misconfiguredTtlMs: () => number;
  now?: () => number;
}

export function shareHealth(deps: SharedHealthDeps) {
  const { redis, sub, prefix, nodeId, health } = deps;
  const now = deps.now ?? Date.now;
  const channel = `${prefix}health`;
  const keyOf = (id: number) => `${prefix}health:${id}`;

  const apply = (v: HealthVerdict) => {
    if (v.node === nodeId) return;
    if (v.state === "cooling" && v.until <= now()) return; // over already: the local breaker decides
    health.adopt(v.id, v.state, v.until, v.reason);
  };

  function publish(id: number, t: Transition, snap: HealthSnapshot): void {
    const state = t === "restored" ? "healthy" : snap.state === "misconfigured" ? "misconfigured" : "cooling";
    const until = snap.until ?? 0;
    const v: HealthVerdict = { node: nodeId, id, state, until, reason: snap.reason };
    const msg = JSON.stringify(v);
    const ttl = state === "cooling" ? until - now() : deps.misconfiguredTtlMs();
    const write = state === "healthy" || ttl <= 0 ? redis.del(keyOf(id)) : redis.set(keyOf(id), msg, "PX", Math.ceil(ttl));
    // Redis down: the verdict stays this node's; the others' breakers decide on their own.
    write.then(() => redis.publish(channel, msg)).catch(() => {});
  }

  /** Verdicts written while this node could not hear them. */
  async function resync(): Promise<void> {
    const ids = deps.ids();
    if (ids.length === 0) return;
    const values = await redis.mget(ids.map(keyOf));
    for (const raw of values) {
      const v = raw === null ? null : parseVerdict(raw);
      if (v) apply(v);
    }
  }

  sub.on("message", (ch: string, raw: string) => {
    if (ch !== channel) return;
    const v = parseVerdict(raw);
    if (v) apply(v);
  });
  // Subscribing needs a live connection (no offline queue); ioredis resubscribes by itself after that.
  let subscribed = false;
  const onReady = () => {
    if (!subscribed) sub.subscribe(channel).then(() => (subscribed = true), () => {});
    resync().catch(() => {});
  };
  sub.on("ready", onReady);
  redis.on("ready", () => void resync().catch(() => {}));
  if (sub.status === "ready") onReady();
  health.share(publish);

  return { resync };
}
