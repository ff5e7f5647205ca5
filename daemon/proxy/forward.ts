// Failover along the request's plan (router.ts: candidates ordered by the strategy, computed once):
// each upstream at most once, within max_attempts and the deadline, until one commits. When all
// fail the client learns why, and which upstreams were tried.
import type { Pool, PoolUpstream } from "../routing/pool.ts";
import type { Guard } from "../routing/guard.ts";
import { retryAfterHeader, type Router } from "../routing/router.ts";
import { elapsed, type RequestContext } from "./context.ts";
import { estimatePromptTokens } from "./tokens.ts";
import { sessionIdentity } from "./session.ts";
import { upstreamRequestHeaders } from "./headers.ts";
import { HttpError } from "./openai-error.ts";
import { attempt, type Answer, type AttemptDeps } from "./attempt.ts";
import { needsUsageInjection, upstreamBodies } from "./upstream-body.ts";
import { servableBy, translatedBody } from "./translate.ts";
import { AdapterError } from "../adapters/types.ts";
import { adapterFor, wireOf } from "../adapters/registry.ts";

const encoder = new TextEncoder();

/**
 * Bun queues fetches beyond BUN_CONFIG_MAX_HTTP_REQUESTS (256 by default), read only from the
 * environment at process start: past it, streams wait unseen inside Bun until their first-token
 * clock fails them. The npm start script and the systemd unit raise it; routed warns when it is low.
 */
export function fetchConcurrencyCap(): number {
  const n = Number(process.env.BUN_CONFIG_MAX_HTTP_REQUESTS);
  return Number.isInteger(n) && n > 0 ? Math.min(n, 65_535) : 256;
}

export interface ForwardDeps extends AttemptDeps {
  pool: Pool;
  router: Router;
  /** Claims an upstream right before an attempt (limits, max_inflight). */
  guard: Guard;
  /** Ends the request with Route's own error (logged, counted). */
  fail: (ctx: RequestContext, e: HttpError) => Response;
  /** This node's Via token, added to what goes upstream (loop guard). */
  via: string;
  /** Which upstreams the request's key may use (its groups); null: any. */
  allow: (ctx: RequestContext) => ((u: PoolUpstream) => boolean) | null;
  /** The key's limits and budget, once the plan is known (its reservation prices the candidates). */
  admit: (ctx: RequestContext, upstreams: readonly PoolUpstream[]) => HttpError | null | Promise<HttpError | null>;
}

function isErrorEnvelope(body: Uint8Array): boolean {
  try {
    const o = JSON.parse(new TextDecoder().decode(body));
    return typeof o?.error === "object" && o.error !== null;
  } catch {
    return false;
  }
}

/** OpenAI's model list from the models the upstreams declare (answered by Route, logged like any request). */
function modelList(ctx: RequestContext, models: readonly string[], deps: ForwardDeps): Response {
  const body = encoder.encode(JSON.stringify({ object: "list", data: models.map((id) => ({ id, object: "model", created: 0, owned_by: "route" })) }));
  ctx.status = 200;
  ctx.responseBody = body;
  deps.finish(ctx);
  return new Response(body, { headers: { "content-type": "application/json", "x-request-id": ctx.id } });
}

/**
 * Anthropic's token count with no Anthropic upstream to ask: counted here with the local
 * tokenizer (an estimate; the answer says so in a header).
 */
const COUNT_LOCALLY_MAX = 256 << 10;

function countTokensLocally(ctx: RequestContext, deps: ForwardDeps): Response {
  const system = ctx.json?.system;
  const messages = [...(system ? [{ content: system }] : []), ...((ctx.json?.messages as unknown[]) ?? [])];
  // The tokenizer runs on the event loop: past a modest size, bytes / 4 (a request must not stall Route).
  const bytes = ctx.body?.length ?? 0;
  const count = bytes > COUNT_LOCALLY_MAX ? Math.ceil(bytes / 4) : (estimatePromptTokens({ messages }) ?? 0);
  const body = encoder.encode(JSON.stringify({ input_tokens: count }));
  ctx.status = 200;
  ctx.responseBody = body;
  deps.finish(ctx);
  return new Response(body, { headers: { "content-type": "application/json", "x-request-id": ctx.id, "x-route-estimate": "local tokenizer" } });
}

export async function forward(ctx: RequestContext, deps: ForwardDeps, pinned: PoolUpstream | null = null): Promise<Response> {
  if (ctx.path === "/v1/models" && ctx.method === "GET" && !pinned) {
    const models = deps.pool.advertised();
    const allowed = ctx.key?.models; // a key sees the models it may use
    if (models) return modelList(ctx, allowed ? models.filter(allowed) : models, deps);
  }
  if (ctx.path === "/v1/messages/count_tokens" && !deps.pool.all().some((u) => u.enabled && wireOf(u) === "anthropic")) {
    return countTokensLocally(ctx, deps);
  }
  const planned = deps.router.plan(ctx.model, pinned, servableBy(ctx, deps.pool.all(), deps.allow(ctx)), (hash) => sessionIdentity(ctx.req.headers, ctx.json, hash));
  if (planned instanceof HttpError) return deps.fail(ctx, planned);
  let refused = deps.admit(ctx, planned.upstreams);
  if (refused instanceof Promise) refused = await refused; // only keys with limits shared through Redis
  if (refused) return deps.fail(ctx, refused);
  const { upstreams: plan, models } = planned;
  ctx.plan = plan.map((u) => u.label);
  ctx.session = planned.session;
  const deadlineMs = deps.router.settings.deadlineMs;
  const deadlineAt = ctx.t0 + deadlineMs;
  const headers = upstreamRequestHeaders(ctx.req.headers, deps.via);
  ctx.usageInjected = needsUsageInjection(ctx);
  const bodyFor = upstreamBodies(ctx, models.some((m) => m !== null));
  const failures: string[] = [];
  let answer: (Answer & { label: string }) | null = null;
  let lastTimedOut = false;
  let lastRedirected = false;
  let unsupported: AdapterError | null = null;
  let unsupportedCount = 0;
  let deadlineHit = false;
  let attempted = 0;
  let limitedRetryMs = Infinity;
  let skippedForLimits = false;
  for (let i = 0; i < plan.length; i++) {
    const up = plan[i]!;
    if (i > 0 && performance.now() >= deadlineAt) {
      deadlineHit = true;
      lastTimedOut = true;
      break;
    }
    // The body first: a request this upstream's format cannot express must not spend its limits or
    // take its half-open trial (a trial taken and never judged keeps it out of rotation).
    const adapter = adapterFor(ctx.format, up, ctx.path) ?? null; // servableBy kept only those with a way
    let body: Uint8Array | null;
    try {
      body = adapter ? translatedBody(ctx, adapter, models[i]!) : bodyFor(models[i]!);
    } catch (e) {
      if (!(e instanceof AdapterError)) throw e;
      // What this upstream's format cannot say is not said by another means: try the next one.
      attempted++;
      unsupported = e;
      unsupportedCount++;
      failures.push(`${up.label} (${e.message})`);
      continue;
    }
    let claim = deps.guard.claim(up, ctx, planned.forced);
    if (claim instanceof Promise) claim = await claim; // only upstreams with limits shared through Redis
    if (!claim.ok) {
      // Changed since the plan was made (a concurrent request took the last slot or the trial): skip it.
      failures.push(`${up.label} (${claim.detail})`);
      limitedRetryMs = Math.min(limitedRetryMs, claim.retryAfterMs);
      if (claim.why === "limited" || claim.why === "busy") skippedForLimits = true;
      continue;
    }
    attempted++;
    ctx.upstreamModel = models[i]!;
    ctx.adapter = adapter;
    const r = await attempt(ctx, up, headers, deps, body, deadlineAt);
    if (r.kind === "commit") {
      ctx.limitCorrect = claim.correct;
      deps.router.answered(planned.session, up);
      return r.response;
    }
    claim.correct(0); // no answer: no tokens spent (the request still counts)
    if (r.kind === "shutdown") {
      ctx.upstream = up;
      return deps.fail(ctx, new HttpError(503, "shutting_down", "Route is shutting down and its drain deadline passed before the upstream answered; retry"));
    }
    if (r.kind === "client_gone") {
      ctx.status = 499;
      ctx.errorCode = "client_closed";
      ctx.errorMessage = `client closed the connection after ${Math.round(elapsed(ctx))} ms; upstream request cancelled`;
      ctx.upstream = up;
      deps.finish(ctx);
      return new Response(null, { status: 499 });
    }
    ctx.upstream = up;
    failures.push(`${up.label} (${r.message})`);
    if (r.answer) answer = { ...r.answer, label: up.label };
    lastTimedOut = r.timeout;
    lastRedirected = r.outcome === "redirect";
  }

  if (unsupported && unsupportedCount === attempted) {
    return deps.fail(ctx, new HttpError(unsupported.status, unsupported.code, failures.join("; ")));
  }
  if (attempted === 0) {
    const why = `no planned upstream could take the request: ${failures.join(", ")}`;
    const e = skippedForLimits ? new HttpError(429, "rate_limit_exceeded", why, retryAfterHeader(limitedRetryMs)) : new HttpError(503, "no_upstream", why, retryAfterHeader(limitedRetryMs));
    return deps.fail(ctx, e);
  }
  let summary = `all ${failures.length} upstream${failures.length > 1 ? "s" : ""} failed: ${failures.join(", ")}`;
  if (deadlineHit) summary += `; the deadline of ${deadlineMs} ms ended the failover`;
  if (lastRedirected && !deadlineHit) return deps.fail(ctx, new HttpError(502, "upstream_redirect", summary));
  if (answer) {
    // The last upstream answer (429/5xx) keeps its status and, if it is an OpenAI error, its body.
    const code = answer.status === 429 ? "rate_limit_exceeded" : "upstream_error";
    const retryAfter = answer.headers.get("retry-after");
    const e = new HttpError(answer.status, code, summary, retryAfter ? { "retry-after": retryAfter } : undefined);
    if (isErrorEnvelope(answer.body)) {
      const res = deps.fail(ctx, e);
      return new Response(answer.body, { status: res.status, headers: res.headers });
    }
    return deps.fail(ctx, e);
  }
  return deps.fail(ctx, lastTimedOut ? new HttpError(504, "upstream_timeout", summary) : new HttpError(502, "upstream_error", summary));
}
