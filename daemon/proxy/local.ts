// Routes Route answers itself: /health, /metrics (and the seed's /v1/metrics), /v1/status, /admin/*.
import type { Metrics } from "../metrics/registry.ts";
import type { Pool } from "../routing/pool.ts";
import type { KeyChecker } from "./auth.ts";
import { handleAdmin, type AdminDeps } from "./admin.ts";
import { errorResponse, type HttpError, httpErrorResponse } from "./openai-error.ts";

export interface LocalDeps extends AdminDeps {
  pool: Pool;
  metrics: Metrics;
  keys: KeyChecker | null;
  storeHealthy: () => boolean;
  isDraining: () => boolean;
  startedAt: number;
}

export function statusBody(pool: Pool, startedAt: number) {
  const apis = pool.all().map((u, i) => {
    const r = u.stats.recent();
    return {
      order: i + 1,
      id: u.id,
      name: u.label,
      endpoint: u.endpoint,
      enabled: u.enabled,
      available: u.enabled && !(r.attempts >= 5 && r.successRate === 0),
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
      limits: { rpm: -1, rpd: -1 },
      usage: { rpm: u.stats.lastMinute(Date.now()), rpd: u.stats.today(Date.now()) },
    };
  });
  return { service: "route", timestamp: new Date().toISOString(), uptime_s: Math.round((Date.now() - startedAt) / 1000), apis };
}

export function createLocalRoutes(deps: LocalDeps) {
  const authorized = (req: Request): Response | null => {
    if (!deps.keys) return null;
    try {
      deps.keys.check(req.headers.get("authorization"));
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
      if (!deps.storeHealthy()) return errorResponse(503, "store_unavailable", "the request-log store is failing; see routed's log");
      return Response.json({ status: "ok" });
    }
    if (path === "/metrics" || path === "/v1/metrics") {
      return deps.metrics.registry.metrics().then((text) => new Response(text, { headers: { "content-type": deps.metrics.registry.contentType } }));
    }
    if (path === "/v1/status") return authorized(req) ?? Response.json(statusBody(deps.pool, deps.startedAt));
    if (path === "/admin" || path.startsWith("/admin/")) return authorized(req) ?? handleAdmin(req, url, deps);
    return null;
  };
}
