// upstreams.*: thin adapters from the contract to the upstream service (shared with the admin API).
import type { Pool } from "../../routing/pool.ts";
import type { UpstreamService } from "../../upstreams/service.ts";
import { probeUpstream } from "../../upstreams/probe.ts";
import type { UpstreamRecord } from "../../store/types.ts";
import type { Handlers } from "../server.ts";
import { toUpstreamViews, viewOne } from "../views.ts";

const PROBE_CAP_MS = 30_000; // a test is interactive: never wait a full long timeout

export function upstreamMethods(upstreams: UpstreamService, pool: Pool, probe = probeUpstream) {
  const view = async (u: UpstreamRecord) => viewOne(await upstreams.list(), u, pool);
  return {
    "upstreams.list": async () => ({ upstreams: toUpstreamViews(await upstreams.list(), pool) }),
    "upstreams.get": async (p) => view(await upstreams.get(p.upstream)),
    "upstreams.add": async (p) => view(await upstreams.add(p)),
    "upstreams.update": async (p) => view(await upstreams.update(p.upstream, p.patch)),
    "upstreams.remove": async (p) => {
      const rows = await upstreams.list();
      const gone = await upstreams.remove(p.upstream);
      return viewOne(rows, gone); // as it was, with its last position
    },
    "upstreams.move": async (p) => ({ upstreams: toUpstreamViews(await upstreams.move(p.upstream, p.position), pool) }),
    "upstreams.enable": async (p) => view(await upstreams.setEnabled(p.upstream, true)),
    "upstreams.disable": async (p) => view(await upstreams.setEnabled(p.upstream, false)),
    "upstreams.test": async (p) => {
      const u = await upstreams.get(p.upstream);
      const timeout = Math.min(pool.get(u.id)?.effectiveTimeoutMs ?? pool.defaults.timeoutMs, PROBE_CAP_MS);
      return probe(u, timeout);
    },
  } satisfies Partial<Handlers>;
}
