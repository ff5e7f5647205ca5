// A webhook endpoint on loopback for alert tests: records each event's JSON and wakes waiters.
import type { Server } from "bun";

export function startHookReceiver(hang: () => boolean = () => false) {
  const received: any[] = [];
  const waiters: (() => void)[] = [];
  const server: Server<undefined> = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      received.push(await req.json());
      for (const w of waiters.splice(0)) w();
      if (hang()) return new Promise<Response>(() => {});
      return Response.json({ ok: true });
    },
  });
  return {
    received,
    url: `http://127.0.0.1:${server.port}/hook`,
    port: server.port!,
    /** Resolves when the next event arrives. */
    next: () => new Promise<void>((r) => waiters.push(r)),
    stop: () => server.stop(true),
  };
}

export type HookReceiver = ReturnType<typeof startHookReceiver>;
