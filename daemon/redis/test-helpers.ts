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
export async function roomInMinute(r: Redis, needMs = 4000): Promise<void> {
  const deadline = Date.now() + 70_000;
  while (Date.now() < deadline) {
    const t = await redisNow(r);
    if (60_000 - (t % 60_000) >= needMs) return;
    await Bun.sleep(Math.min(250, 60_000 - (t % 60_000) + 5));
  }
  throw new Error("no room in a minute within 70 s");
}

/**
 * A TCP relay to Redis on a loopback port the test controls: `cut()` closes it and every relayed
 * connection (Redis unreachable for whoever goes through it; the shared redis-server keeps running
 * for everyone else), `restore()` listens again on the same port.
 */
export async function startRelay(redisUrl: string) {
  const target = new URL(redisUrl);
  const open = new Set<{ end(): void }>();
  let port = 0;
  const listen = () =>
    Bun.listen<{ peer: Promise<import("bun").Socket<undefined>> | null; held: Uint8Array[] }>({
      hostname: "127.0.0.1",
      port,
      socket: {
        open(client) {
          open.add(client);
          client.data = { peer: null, held: [] };
          client.data.peer = Bun.connect({
            hostname: target.hostname,
            port: Number(target.port || 6379),
            socket: {
              data: (_s, d) => void client.write(d),
              close: () => void client.end(),
              error: () => void client.end(),
            },
          }).then((s) => {
            open.add(s);
            for (const d of client.data.held.splice(0)) s.write(d);
            return s;
          });
        },
        data(client, d) {
          client.data.held.push(new Uint8Array(d));
          void client.data.peer?.then((s) => {
            for (const h of client.data.held.splice(0)) s.write(h);
          });
        },
        close(client) {
          open.delete(client);
          void client.data.peer?.then((s) => s.end());
        },
        error(client) {
          client.end();
        },
      },
    });
  let server = listen();
  port = server.port;
  return {
    url: `redis://127.0.0.1:${port}`,
    cut(): void {
      server.stop(true);
      for (const s of open) s.end();
      open.clear();
    },
    restore(): void {
      server = listen();
    },
    stop(): void {
      this.cut();
    },
  };
}

/** Polls `ok` until it holds (deadline 5 s): for states that other processes' events change. */
export async function until(ok: () => boolean | Promise<boolean>, what: string, deadlineMs = 5000): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(10);
  }
}
