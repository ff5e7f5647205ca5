// Helpers of the Redis tests: connections that are closed at the end, and a wait for the start of a
// fresh window so a test's admissions all fall in one minute (no sleeping: Redis's clock is polled).
import type Redis from "ioredis";
import { connectQuietly, openRedis } from "./connection.ts";

const opened: Redis[] = [];

export async function testConnection(url: string): Promise<Redis> {
  const r = openRedis({ url });
  opened.push(r);
  if (!(await connectQuietly(r))) throw new Error(`Redis at ${url} is not reachable`);
  return r;
}

export function closeTestConnections(): void {
  for (const r of opened.splice(0)) r.disconnect();
}

const redisNow = async (r: Redis) => {
  const [s, us] = await r.time();
  return Number(s) * 1000 + Math.floor(Number(us) / 1000);
};

/** Returns once at least `needMs` of the current minute (by Redis's clock) are left; deadline 70 s. */
export async function roomInMinute(r: Redis, needMs = 15_000): Promise<void> {
  const deadline = Date.now() + 70_000;
  while (Date.now() < deadline) {
    const t = await redisNow(r);
    if (60_000 - (t % 60_000) >= needMs) return;
    await Bun.sleep(Math.min(250, 60_000 - (t % 60_000) + 5));
  }
  throw new Error("no room in a minute within 70 s");
}
