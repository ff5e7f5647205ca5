// The request path as a chain of small stages:
//   route → auth → context (id, client IP) → read body → forward (failover) → finish (log, metrics)
import type { Server } from "bun";
import type { Metrics } from "../metrics/registry.ts";
import type { Pool, PoolUpstream } from "../routing/pool.ts";
import type { Guard } from "../routing/guard.ts";
import type { Router } from "../routing/router.ts";
import { admitKey, checkKey, groupFilter, type AdmissionSettings, type Estimator, type SharedAdmission } from "../keys/admission.ts";
import type { Authenticator, Caller } from "../keys/authenticate.ts";
import type { KeyRegistry } from "../keys/registry.ts";
import { readBody } from "./body.ts";
import { createContext, elapsed, type RequestContext } from "./context.ts";
import { forward } from "./forward.ts";
import { SHUTDOWN } from "./pump.ts";
import { isLoop, type HeaderRecord } from "./headers.ts";
import { clientFormat } from "../adapters/registry.ts";
import { errorResponse, errorResponseFor, HttpError } from "./openai-error.ts";

export interface PipelineDeps {
  pool: Pool;
  router: Router;
  guard: Guard;
  /** Health: what each attempt says about its upstream. */
  verdict: (up: PoolUpstream, outcome: string, status?: number, retryAfter?: string | null) => void;
  metrics: Metrics;
  auth: Authenticator | null; // null: --noauth
  registry: KeyRegistry;
  /** Prices for budget reservations (null: none known). */
  estimator: () => Estimator | null;
  admission: () => AdmissionSettings;
  /** Budgets decided by the shared database, key limits counted in Redis (several nodes); null: by this process. */
  shared?: SharedAdmission | null;
  maxBodyBytes: number;
  clientIp: (peer: string | null, xff: string | null) => string | null;
  enqueueLog: (ctx: RequestContext) => void;
  /** Routes Route answers itself (health, metrics, status, admin); null: not one of them. */
  local: (req: Request, url: URL) => Promise<Response> | Response | null;
  isDraining: () => boolean;
  /** This node's `Via` token (e.g. "1.1 route-5f3a…"): marks what it forwards, finds what comes back. */
  via: string;
  /** Seconds a client connection may idle, restored once a proxied response is done. */
  idleTimeoutS: number;
}

/** The client's key: Anthropic's clients send it as x-api-key (or as a Bearer token, like OpenAI's). */
function authorizationOf(req: Request, format: "openai" | "anthropic"): string | null {
  const header = req.headers.get("authorization");
  if (header !== null || format === "openai") return header;
  const key = req.headers.get("x-api-key");
  return key === null ? null : `Bearer ${key}`;
}

export function createPipeline(deps: PipelineDeps) {
  const { pool, metrics } = deps;
  let inflight = 0;
  const idle: (() => void)[] = [];
  const active = new Set<AbortController>();
  let server: Server<undefined> | null = null;

  function finish(ctx: RequestContext): void {
    if (ctx.finished) return;
    ctx.finished = true;
    ctx.totalMs = elapsed(ctx);
    const label = ctx.upstream?.label ?? "none";
    metrics.request(label, ctx.model, ctx.status, ctx.stream, ctx.totalMs / 1000);
    if (ctx.ttftMs !== null && ctx.upstream) metrics.ttft(label, ctx.ttftMs / 1000);
    // least-latency follows time to first token (streams) or whole latency of answered requests.
    if (ctx.upstream && ctx.status < 400) ctx.upstream.stats.observeLatency(ctx.ttftMs ?? ctx.totalMs);
    ctx.keyTicket?.release();
    deps.enqueueLog(ctx);
    // The request had Route's clocks instead of the idle timeout; a kept-alive connection gets it back.
    server?.timeout(ctx.req, deps.idleTimeoutS);
    metrics.inflight.set(--inflight);
    if (inflight === 0) for (const fn of idle.splice(0)) fn();
  }

  function fail(ctx: RequestContext, e: HttpError): Response {
    ctx.status = e.status;
    ctx.errorCode = e.code;
    ctx.errorMessage = e.message;
    const h: Record<string, string> = { "x-request-id": ctx.id };
    if (ctx.attempts.length > 0) {
      h["x-route-attempts"] = attemptsHeader(ctx);
      if (ctx.upstream) h["x-route-upstream"] = ctx.upstream.label;
    }
    if (ctx.plan) h["x-route-plan"] = ctx.plan.join(", ");
    if (ctx.upstreamRequestId !== null) h["x-upstream-request-id"] = ctx.upstreamRequestId;
    finish(ctx);
    return errorResponseFor(ctx.format, e, h);
  }

  const pinnable = (ref: string) => pool.find(ref) !== undefined;
  const attemptsHeader = (ctx: RequestContext) => ctx.attempts.map((a) => `${a.upstream}=${a.outcome}`).join(", ");

  const forwardDeps = {
    pool,
    router: deps.router,
    guard: deps.guard,
    verdict: deps.verdict,
    fail,
    finish,
    active,
    via: deps.via,
    allow: (ctx: RequestContext) => (ctx.key ? groupFilter(ctx.key) : null),
    admit(ctx: RequestContext, upstreams: readonly PoolUpstream[]): HttpError | null | Promise<HttpError | null> {
      return ctx.key ? admitKey(ctx.key, ctx, upstreams, deps.registry, deps.estimator(), deps.admission(), deps.shared ?? null) : null;
    },
    routeHeaders(ctx: RequestContext, h: HeaderRecord) {
      h["x-request-id"] = ctx.id;
      h["x-route-upstream"] = ctx.upstream!.label;
      h["x-route-attempts"] = attemptsHeader(ctx);
      if (ctx.plan) h["x-route-plan"] = ctx.plan.join(", ");
    },
    recordAttempt(ctx: RequestContext, up: PoolUpstream, outcome: string, ms: number, status?: number) {
      ctx.attempts.push({ upstreamId: up.id, upstream: up.label, outcome, status, ms: Math.round(ms) });
      up.stats.record(outcome === "ok" || outcome === "http_4xx", ms, outcome === "ok" ? null : outcome, Date.now());
      metrics.attempt(up.label, outcome);
    },
  };

  async function proxy(req: Request, url: URL, srv: Server<undefined>): Promise<Response> {
    server = srv;
    let pinned: PoolUpstream | null = null;
    let caller: Caller | null = null;
    const format = clientFormat(url.pathname);
    if (deps.auth) {
      try {
        caller = deps.auth(authorizationOf(req, format), deps.router.settings.allowPinning, pinnable);
        if (caller.pin !== null) pinned = pool.find(caller.pin) ?? null;
      } catch (e) {
        metrics.rejected("invalid_api_key");
        return errorResponseFor(format, e as HttpError);
      }
    }
    const ctx = createContext(req, url, Bun.randomUUIDv7(), format);
    ctx.key = caller?.key ?? null;
    ctx.clientIp = deps.clientIp(srv.requestIP(req)?.address ?? null, req.headers.get("x-forwarded-for"));
    metrics.inflight.set(++inflight);
    try {
      if (deps.isDraining()) throw new HttpError(503, "shutting_down", "Route is shutting down; retry on another instance or in a moment");
      if (isLoop(req.headers, deps.via)) throw new HttpError(508, "loop_detected", "this request already passed through this Route (its Via header names it): an upstream endpoint points back at Route; fix that upstream's endpoint");
      await readBody(ctx, deps.maxBodyBytes);
      const refused = ctx.key && checkKey(ctx.key, ctx);
      if (refused) throw refused;
      // Past the body, Route's own clocks (first token, stall, timeout) govern the connection.
      srv.timeout(req, 0);
      return await forward(ctx, forwardDeps, pinned);
    } catch (e) {
      if (e instanceof HttpError) {
        metrics.rejected(e.code);
        return fail(ctx, e);
      }
      return fail(ctx, new HttpError(500, "internal_error", `Route failed on this request: ${(e as Error).message}`));
    }
  }

  return {
    async handle(req: Request, server: Server<undefined>): Promise<Response> {
      const url = new URL(req.url);
      const local = deps.local(req, url);
      if (local) return local;
      if (url.pathname === "/v1" || url.pathname.startsWith("/v1/")) return proxy(req, url, server);
      metrics.rejected("not_found");
      return errorResponse(404, "not_found", `unknown path ${url.pathname}; Route serves /v1/*, /health, /metrics and /admin/upstreams`);
    },
    get inflight() {
      return inflight;
    },
    /**
     * The drain deadline passed: every upstream call still under way is ended, streams with an
     * in-band error that says so, requests not yet answered with 503 shutting_down.
     */
    cutAll(): number {
      const n = active.size;
      for (const ac of [...active]) ac.abort(SHUTDOWN);
      return n;
    },
    /** Resolves when no request is in flight (streams included). */
    idle(): Promise<void> {
      return inflight === 0 ? Promise.resolve() : new Promise((r) => idle.push(r));
    },
  };
}

export type Pipeline = ReturnType<typeof createPipeline>;
