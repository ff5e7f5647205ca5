// Routes Route answers itself: /health, /metrics (and the seed's /v1/metrics), /v1/status, /admin/*,
// and the key holder's billing endpoints.
import type { Metrics } from "../metrics/registry.ts";
import { healthView, type Live } from "../routing/live.ts";
import type { Pool, PoolUpstream } from "../routing/pool.ts";
import type { LogStoreState } from "../store/log-writer.ts";
import type { Gate } from "../routing/router.ts";
import type { Access } from "./access.ts";
import type { Authenticator } from "../keys/authenticate.ts";
import { handleAdmin, type AdminDeps } from "./admin.ts";
import { errorBody, errorResponse, type HttpError, httpErrorResponse } from "./openai-error.ts";

export interface LocalDeps extends AdminDeps {
  pool: Pool;
  live: Live;
  /** May the upstream take a request now (health, limits, max_inflight)? */
  gate: (u: PoolUpstream) => Gate;
  metrics: Metrics;
  /** Client keys (shared and from the database); null: --noauth. */
  auth: Authenticator | null;
  /** The admin and metrics keys. */
  access: Access;
  logStore: () => LogStoreState;
  /** Why the log is cut short (the database's disk nearly full: rows without bodies); null: it is not. */
  logDisk?: () => string | null;
  isDraining: () => boolean;
  startedAt: number;
  /** A failing store's rows go to disk (log-spool.ts): nothing is lost while it is away. */
  hasSpool?: boolean;
  /** Redis of the shared limits (--redis): /health says degraded while it is away. */
  redis?: (() => { up: boolean; since: number; mode: string }) | null;
  /** /health's `cluster` part (node, live nodes, config version, listener); null on one node. */
  cluster?: () => Record<string, unknown> | null;
  /** The key holder's billing endpoints (keys/billing-routes.ts). */
  billing?: (req: Request, url: URL) => Promise<Response> | Response | null;
}

const limitOf = (n: number | null) => n ?? -1; // api-together's fields: -1 = unlimited

const storeView = (s: LogStoreState) => ({ state: s.state, since: new Date(s.since).toISOString(), queued_rows: s.queuedRows, queued_bytes: s.queuedBytes, spooled_rows: s.spooledRows, spooled_bytes: s.spooledBytes, last_error: s.lastError });

/** Why the request log is behind, or null: failing (rows queued or spooled), or replaying its spool. */
function degradedReason(s: LogStoreState): string | null {
  const spooled = s.spooledRows > 0 ? `; ${s.spooledRows} rows spooled to disk` : "";
  if (s.state === "failing") return `the request-log store is failing (${s.lastError ?? "unknown error"}); ${s.queuedRows} rows queued in memory${spooled}`;
  return s.spooledRows > 0 ? `the request-log store is back; ${s.spooledRows} spooled rows are being replayed` : null;
}

export function statusBody(pool: Pool, live: Live, startedAt: number, gate: (u: PoolUpstream) => Gate) {
  const { limits } = live;
  const apis = pool.all().map((u, i) => {
    const r = u.stats.recent();
    const used = limits.usage(u.id);
    const health = healthView(u, live);
    return {
      order: i + 1,
      id: u.id,
      name: u.label,
      endpoint: u.endpoint,
      enabled: u.enabled,
      // Would a request be sent to it now: in rotation (or its trial is due), under its limits, not full.
      available: health.state !== "disabled" && gate(u).ok,
      health,
      source: u.source,
      inflight: u.stats.inflight,
      requests: u.stats.requests,
      failures: u.stats.failures,
      success_rate: r.successRate,
      latency_ms: r.latencyMs,
      last_error: u.stats.lastError,
      last_error_at: u.stats.lastErrorAt === null ? null : new Date(u.stats.lastErrorAt).toISOString(),
      timeout_ms: u.effectiveTimeoutMs,
      stream_timeout_ms: u.effectiveStreamTimeoutMs,
      stream_timeout_auto: u.streamTimeoutAuto,
      limits: { rpm: limitOf(u.rpm), rpd: limitOf(u.rpd), tpm: limitOf(u.tpm) },
      usage: used,
      remaining: limits.remaining(u.id),
    };
  });
  return { service: "route", timestamp: new Date().toISOString(), uptime_s: Math.round((Date.now() - startedAt) / 1000), apis };
}

/**
 * What a client key sees of /v1/status: api-together's fields and Route's counters, without where
 * the upstreams are (endpoint) or what they answered (last_error), which the admin key shows.
 */
export function clientStatusBody(full: ReturnType<typeof statusBody>) {
  return { ...full, apis: full.apis.map(({ endpoint: _e, last_error: _l, last_error_at: _a, ...rest }) => rest) };
}

export function createLocalRoutes(deps: LocalDeps) {
  const authorized = (req: Request): Response | null => {
    if (!deps.auth) return null;
    try {
      deps.auth(req.headers.get("authorization"), false, () => false);
      return null;
    } catch (e) {
      deps.metrics.rejected("invalid_api_key");
      return httpErrorResponse(e as HttpError);
    }
  };

  return (req: Request, url: URL): Promise<Response> | Response | null => {
    const path = url.pathname;
    if (path === "/health") {
      if (deps.isDraining()) return errorResponse(503, "shutting_down", "Route is shutting down");
      const store = deps.logStore();
      const disk = deps.logDisk?.() ?? null;
      const reason = [degradedReason(store), disk].filter((r) => r !== null).join("; ") || null;
      const redis = deps.redis?.();
      const cluster = deps.cluster?.();
      // Redis away: this node still serves, deciding limits alone (redis_outage).
      const parts = {
        store: storeView(store),
        ...(cluster ? { cluster } : {}),
        ...(redis && !redis.up ? { redis: { state: "down", since: new Date(redis.since).toISOString(), redis_outage: redis.mode } } : {}),
      };
      if (reason === null && (!redis || redis.up)) return Response.json({ status: "ok", ...parts });
      // A failing store with a spool loses nothing and the node still serves: 200, so a load
      // balancer does not pull every node when the database they share is away.
      if (store.state === "healthy" || deps.hasSpool) return Response.json({ status: "degraded", ...(reason ? { reason } : {}), ...parts });
      const envelope = JSON.parse(errorBody(503, "store_unavailable", "the request-log store is failing; see routed's log"));
      return Response.json({ status: "degraded", reason, ...envelope, ...parts }, { status: 503 });
    }
    if (path === "/metrics" || path === "/v1/metrics") {
      const refused = deps.access.metricsRefusal(req.headers.get("authorization"));
      if (refused) return refused;
      return deps.metrics.registry.metrics().then((text) => new Response(text, { headers: { "content-type": deps.metrics.registry.contentType } }));
    }
    if (path === "/v1/status") {
      const admin = deps.access.isAdmin(req.headers.get("authorization"));
      const refused = admin ? null : authorized(req);
      if (refused) return refused;
      const body = statusBody(deps.pool, deps.live, deps.startedAt, deps.gate);
      return Response.json(admin ? body : clientStatusBody(body));
    }
    if (path === "/admin" || path.startsWith("/admin/")) {
      const refused = deps.access.adminRefusal(req.headers.get("authorization"));
      if (refused?.status === 401) deps.metrics.rejected("invalid_api_key");
      return refused ?? handleAdmin(req, url, deps);
    }
    return deps.billing?.(req, url) ?? null;
  };
}
