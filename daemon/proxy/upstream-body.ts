// The request body one upstream gets: the client's bytes as they came, unless the model has to be
// renamed for that upstream (model_mapping) or Route asks for stream usage (below), in which case
// the JSON is re-serialised. Only JSON bodies are rewritten; other bodies go as they came.
import type { RequestContext } from "./context.ts";

const encoder = new TextEncoder();
const METERED_STREAMS = new Set(["/v1/chat/completions", "/v1/completions"]);

/**
 * A streamed chat/completions request whose client did not ask for usage: Route asks for it anyway
 * (stream_options.include_usage), so limits and the log get real token counts, and hides the extra
 * usage-only chunk from the client (usage-filter.ts).
 */
export function needsUsageInjection(ctx: RequestContext): boolean {
  if (!ctx.stream || ctx.json === null || !METERED_STREAMS.has(ctx.path)) return false;
  const so = ctx.json.stream_options as { include_usage?: unknown } | null | undefined;
  return so?.include_usage !== true;
}

export function upstreamBody(ctx: RequestContext, model: string | null): Uint8Array | null {
  if (ctx.json === null || (model === null && !ctx.usageInjected)) return ctx.body;
  const json: Record<string, unknown> = { ...ctx.json };
  if (model !== null) json.model = model;
  if (ctx.usageInjected) json.stream_options = { ...(ctx.json.stream_options as object | undefined), include_usage: true };
  return encoder.encode(JSON.stringify(json));
}
