// Which nodes are alive, as Redis sees them: each node stamps itself in a sorted set every few
// seconds; the ones not seen for a while are gone. Used for the outage share (limit ÷ live nodes,
// the count last seen before Redis went away) and to forget the in-flight requests of a node that
// died (its requests will never be released). A cluster store's heartbeats may be given instead.
import type Redis from "ioredis";

export const BEAT_MS = 2000;
export const GONE_AFTER_MS = 10_000;

export interface PresenceOptions {
  prefix: string;
  nodeId: string;
  /** After each successful beat, with the live node ids (the in-flight sweep). */
  onBeat?: (ids: readonly string[]) => Promise<unknown>;
  now?: () => number;
}

export function startPresence(redis: Redis, o: PresenceOptions) {
  const now = o.now ?? Date.now;
  const key = `${o.prefix}nodes`;
  let ids: readonly string[] = [o.nodeId];

  async function beat(): Promise<void> {
    const t = now();
    const [, , seen] = (await redis
      .multi()
      .zadd(key, String(t), o.nodeId)
      .zremrangebyscore(key, "-inf", String(t - GONE_AFTER_MS))
      .zrangebyscore(key, "-inf", "+inf")
      .exec())!.map(([err, v]) => {
      if (err) throw err;
      return v;
    }) as [unknown, unknown, string[]];
    ids = seen.includes(o.nodeId) ? seen : [...seen, o.nodeId];
    await o.onBeat?.(ids);
  }

  const tick = () => void beat().catch(() => {}); // Redis down: the last count stands
  const timer = setInterval(tick, BEAT_MS);
  timer.unref();
  redis.on("ready", tick);

  return {
    beat,
    /** The live nodes, at least this one. */
    count: () => Math.max(1, ids.length),
    /** Leaves the set (a graceful stop): the others' share grows at once. */
    async leave(): Promise<void> {
      clearInterval(timer);
      await redis.zrem(key, o.nodeId).catch(() => {});
    },
  };
}
