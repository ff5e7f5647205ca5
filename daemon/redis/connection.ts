// The Redis connection behind shared limits and health (--redis). A dead Redis must fail a
// request's decision fast, not hold it: commands time out after a few hundred ms, are not retried
// or queued while disconnected (the caller falls back to its outage policy at once), and the client
// keeps reconnecting in the background. The URL's password never reaches a log or an error.
import Redis, { type RedisOptions } from "ioredis";

export interface RedisConnectionOptions {
  url: string;
  /** Every key this node touches starts with it (tests: testRedis().prefix). */
  prefix?: string;
  /** Per command (default 300 ms). */
  commandTimeoutMs?: number;
}

/** The URL as it may be shown: no user or password. */
export function redactRedisUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = "";
    u.password = "";
    return u.toString();
  } catch {
    return "(unreadable redis URL)";
  }
}

/** Reconnects quickly at first, then once a second: recovery is noticed within about a second. */
const retryStrategy = (times: number) => Math.min(50 * times, 1000);

export function redisOptions(o: RedisConnectionOptions): RedisOptions {
  return {
    commandTimeout: o.commandTimeoutMs ?? 300,
    connectTimeout: 1000,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy,
    lazyConnect: true,
    // ioredis logs failed connections with the URL on its own when nobody listens: we listen.
    showFriendlyErrorStack: false,
  };
}

/** A connection (not yet connected: call `connect()`; a failure there is an outage, not a crash). */
export function openRedis(o: RedisConnectionOptions): Redis {
  const r = new Redis(o.url, redisOptions(o));
  r.on("error", () => {}); // state changes are followed through "ready"/"close"; errors carry the host only
  return r;
}

/** Connects, resolving whether it worked (within the connect timeout); reconnection continues either way. */
export async function connectQuietly(r: Redis): Promise<boolean> {
  try {
    await r.connect();
    return true;
  } catch {
    return false;
  }
}
