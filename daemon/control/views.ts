// What upstreams look like outside the daemon: keys masked, positions 1-based, live state when
// the daemon is running. The only way an UpstreamRecord leaves through the socket or routectl.
import { maskSecret } from "../../shared/secrets.ts";
import { upstreamLabel } from "../../shared/upstream-fields.ts";
import type { UpstreamView } from "../../shared/rpc/contract.ts";
import { healthView, type Live } from "../routing/live.ts";
import type { Pool } from "../routing/pool.ts";
import { upstreamState } from "../stats/collector.ts";
import type { UpstreamRecord } from "../store/types.ts";

/** Runtime fields (state, usage, health) need the daemon's pool and live state; offline (--db) they are null. */
export function toUpstreamView(u: UpstreamRecord, position: number, pool?: Pool, live?: Live): UpstreamView {
  const running = pool?.get(u.id);
  const rt = running && live ? { u: running, live } : null;
  return {
    id: u.id,
    name: u.name,
    label: upstreamLabel(u),
    position,
    endpoint: u.endpoint,
    sk: maskSecret(u.sk),
    timeoutMs: u.timeoutMs,
    streamTimeoutMs: u.streamTimeoutMs,
    enabled: u.enabled,
    source: u.source,
    extra: u.extra,
    type: u.type,
    apiVersion: u.apiVersion,
    models: u.models,
    modelMapping: u.modelMapping,
    weight: u.weight,
    priority: u.priority,
    rpm: u.rpm,
    rpd: u.rpd,
    tpm: u.tpm,
    stallTimeoutMs: u.stallTimeoutMs,
    streamTimeoutAuto: u.streamTimeoutAuto,
    maxInflight: u.maxInflight,
    // Extra headers may carry credentials (a gateway's own key): masked like the upstream key.
    headers: u.headers === null ? null : Object.fromEntries(Object.entries(u.headers).map(([k, v]) => [k, maskSecret(v)])),
    groups: u.groups,
    prices: u.prices,
    responses: u.responses,
    state: rt ? upstreamState(rt.u, rt.live) : null,
    usage: rt ? rt.live.limits.usage(u.id) : null,
    remaining: rt ? rt.live.limits.remaining(u.id) : null,
    health: rt ? healthView(rt.u, rt.live) : null,
    createdAt: u.createdAt,
    updatedAt: u.updatedAt,
  };
}

/** The whole list in failover order. */
export const toUpstreamViews = (rows: UpstreamRecord[], pool?: Pool, live?: Live) => rows.map((u, i) => toUpstreamView(u, i + 1, pool, live));

/** One upstream with its current position in the list. */
export function viewOne(rows: UpstreamRecord[], u: UpstreamRecord, pool?: Pool, live?: Live): UpstreamView {
  return toUpstreamView(u, rows.findIndex((r) => r.id === u.id) + 1, pool, live);
}
