// Ordered failover (openai-api-route's policy): upstreams in their order, each at most once, until
// one commits. When all fail the client learns why, and which upstreams were tried.
import type { Pool } from "../routing/pool.ts";
import { elapsed, type RequestContext } from "./context.ts";
import { upstreamRequestHeaders } from "./headers.ts";
import { HttpError } from "./openai-error.ts";
import { attempt, type Answer, type AttemptDeps } from "./attempt.ts";

export interface ForwardDeps extends AttemptDeps {
  pool: Pool;
  /** Ends the request with Route's own error (logged, counted). */
  fail: (ctx: RequestContext, e: HttpError) => Response;
}

function isErrorEnvelope(body: Uint8Array): boolean {
  try {
    const o = JSON.parse(new TextDecoder().decode(body));
    return typeof o?.error === "object" && o.error !== null;
  } catch {
    return false;
  }
}

export async function forward(ctx: RequestContext, deps: ForwardDeps): Promise<Response> {
  const candidates = deps.pool.candidates();
  if (candidates.length === 0) {
    const why =
      deps.pool.all().length > 0
        ? "every upstream is disabled; enable one through the admin API or upstreams.yaml"
        : "no upstream is configured; add one to upstreams.yaml or POST /admin/upstreams";
    return deps.fail(ctx, new HttpError(503, "no_upstream", why));
  }
  const headers = upstreamRequestHeaders(ctx.req.headers, "");
  const failures: string[] = [];
  let answer: (Answer & { label: string }) | null = null;
  let lastTimedOut = false;
  for (const up of candidates) {
    const r = await attempt(ctx, up, headers, deps);
    if (r.kind === "commit") return r.response;
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
  }

  const summary = `all ${failures.length} upstream${failures.length > 1 ? "s" : ""} failed: ${failures.join(", ")}`;
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
