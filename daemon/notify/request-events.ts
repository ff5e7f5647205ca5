// Which finished requests are worth an alert. Runs on every request, so the common case (success)
// costs one comparison; events are built only for failures.
import type { RequestContext } from "../proxy/context.ts";
import { redactText } from "../proxy/redact.ts";
import type { NotifyEvent } from "./events.ts";

const FAILED = new Set(["upstream_error", "upstream_timeout", "rate_limit_exceeded", "no_upstream"]);
const EXCERPT = 200;

function excerptOf(ctx: RequestContext): string | undefined {
  const messages = ctx.json?.messages;
  const last = Array.isArray(messages) ? messages.findLast((m: any) => m?.role === "user") : null;
  const text = typeof last?.content === "string" ? last.content : typeof ctx.json?.input === "string" ? ctx.json.input : typeof ctx.json?.prompt === "string" ? ctx.json.prompt : null;
  if (!text) return undefined;
  const t = redactText(text, "");
  return t.length > EXCERPT ? `${t.slice(0, EXCERPT)}…` : t;
}

export function eventsFromRequest(ctx: RequestContext, includeExcerpt: boolean): NotifyEvent[] {
  const failed = ctx.errorCode !== null && FAILED.has(ctx.errorCode);
  const authIssue = ctx.attempts.some((a) => a.status === 401 || a.status === 403);
  if (!failed && !authIssue) return [];
  const at = Date.now();
  const out: NotifyEvent[] = [];
  if (failed) {
    out.push({
      type: "request_failed",
      summary: ctx.errorMessage ?? ctx.errorCode!,
      detail: { status: ctx.status, code: ctx.errorCode, model: ctx.model, path: ctx.path, request_id: ctx.id },
      excerpt: includeExcerpt ? excerptOf(ctx) : undefined,
      at,
    });
  }
  for (const a of ctx.attempts) {
    if (a.status !== 401 && a.status !== 403) continue;
    out.push({
      type: "upstream_auth",
      upstream: a.upstream,
      summary: `${a.upstream} answered ${a.status}: its key is wrong, expired or lacks access; fix the upstream's sk`,
      detail: { status: a.status, request_id: ctx.id },
      at,
    });
  }
  return out;
}
