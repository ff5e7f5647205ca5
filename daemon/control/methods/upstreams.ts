// upstreams.*: thin adapters from the contract to the upstream service (shared with the admin API).
import type { Live } from "../../routing/live.ts";
import type { Pool } from "../../routing/pool.ts";
import type { UpstreamService } from "../../upstreams/service.ts";
import { probeUpstream } from "../../upstreams/probe.ts";
import { feedProbe } from "../../routing/health-check.ts";
import type { UpstreamRecord } from "../../store/types.ts";
import type { Handlers } from "../server.ts";
import { toUpstreamViews, viewOne } from "../views.ts";

const PROBE_CAP_MS = 30_000; // a test is interactive: never wait a full long timeout

export function upstreamMethods(upstreams: UpstreamService, pool: Pool, live: Live, probe = probeUpstream) {
  const view = async (u: UpstreamRecord) => viewOne(await upstreams.list(), u, pool, live);
  return {
    "upstreams.list": async () => ({ upstreams: toUpstreamViews(await upstreams.list(), pool, live) }),
    "upstreams.get": async (p) => view(await upstreams.get(p.upstream)),
    "upstreams.add": async (p) => view(await upstreams.add(p)),
    "upstreams.update": async (p) => view(await upstreams.update(p.upstream, p.patch)),
    "upstreams.remove": async (p) => {
      const rows = await upstreams.list();
      const gone = await upstreams.remove(p.upstream);
      return viewOne(rows, gone); // as it was, with its last position
    },
    "upstreams.move": async (p) => ({ upstreams: toUpstreamViews(await upstreams.move(p.upstream, p.position), pool, live) }),
    "upstreams.enable": async (p) => view(await upstreams.setEnabled(p.upstream, true)),
    "upstreams.disable": async (p) => view(await upstreams.setEnabled(p.upstream, false)),
    "upstreams.test": async (p) => {
      const u = await upstreams.get(p.upstream);
      const timeout = Math.min(pool.get(u.id)?.effectiveTimeoutMs ?? pool.defaults.timeoutMs, PROBE_CAP_MS);
      const result = await probe(u, timeout);
      if (live) {
        // The operator checked it: its health starts afresh from this answer (a 401 stays misconfigured).
        live.health.reset(u.id);
        feedProbe(live.health, u.id, result, true);
      }
      return result;
    },
  } satisfies Partial<Handlers>;
}
