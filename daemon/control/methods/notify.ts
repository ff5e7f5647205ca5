// notify.list and notify.test: alert channels are visible and testable without a real incident.
import { RpcError } from "../../../shared/rpc/errors.ts";
import type { Notifier } from "../../notify/notifier.ts";
import type { Handlers } from "../server.ts";

/** `current` returns the notifier in force: a config reload replaces it. */
export function notifyMethods(current: () => Notifier) {
  return {
    "notify.list": async () => ({
      channels: current().channels.map((c) => ({ name: c.name, kind: c.kind, target: c.target, events: [...c.events].filter((e) => e !== "test") })),
    }),
    "notify.test": async (p) => {
      const n = current();
      if (n.channels.length === 0) throw new RpcError("not_found", "no alert channel is configured; add a notify: block to the upstreams file and reload");
      const results = await n.test(p.channel);
      if (results.length === 0) {
        throw new RpcError("not_found", `no channel named ${p.channel}; channels: ${n.channels.map((c) => c.name).join(", ")}`, { channel: p.channel });
      }
      return { results };
    },
  } satisfies Partial<Handlers>;
}
