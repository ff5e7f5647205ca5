// The request body one upstream gets: the client's bytes as they came, unless the model has to be
// renamed for that upstream (model_mapping) or Route asks for stream usage (below). Then only those
// members are edited in place (json-splice.ts); every other byte stays the client's. Only JSON
// object bodies are edited; other bodies go as they came.
import type { RequestContext } from "./context.ts";
import { appendMember, lastMember, scanObject, scanTopObject, splice, type Edit, type ObjectScan } from "./json-splice.ts";
import { HttpError } from "./openai-error.ts";

const METERED_STREAMS = new Set(["/v1/chat/completions", "/v1/completions"]);
const TRUE = Buffer.from("true");
const USAGE_OPTIONS = Buffer.from('{"include_usage":true}');

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

const refuse = (why: string) => new HttpError(400, "invalid_request", why);

/** The edit that makes stream_options.include_usage true, touching nothing else of stream_options. */
function usageEdit(b: Uint8Array, top: ObjectScan): Edit {
  const so = lastMember(b, top, "stream_options");
  if (!so) return appendMember(top, "stream_options", '{"include_usage":true}');
  const first = b[so.value.start];
  if (first === 0x6e) return { ...so.value, bytes: USAGE_OPTIONS }; // null: as if absent
  const inner = first === 0x7b ? scanObject(b, so.value.start) : null;
  if (!inner) throw refuse("stream_options must be an object or null");
  const iu = lastMember(b, inner, "include_usage");
  if (!iu) return appendMember(inner, "include_usage", "true");
  const v = b[iu.value.start];
  if (v !== 0x74 && v !== 0x66 && v !== 0x6e) throw refuse("stream_options.include_usage must be a boolean"); // false / null become true
  return { ...iu.value, bytes: TRUE };
}

/**
 * Prepared once per request, before any attempt, so a body Route cannot edit exactly is refused
 * (400) instead of being changed silently: `mapped` says whether some planned upstream renames the
 * model. The returned function gives the body for one upstream's model (null: unchanged).
 */
export function upstreamBodies(ctx: RequestContext, mapped: boolean): (model: string | null) => Uint8Array | null {
  const b = ctx.body;
  if (b === null || ctx.json === null || (!mapped && !ctx.usageInjected)) return () => b;
  const top = scanTopObject(b);
  if (!top) throw refuse("Route must edit this JSON body (model mapping or stream usage) but cannot read its structure byte for byte; send a plain UTF-8 JSON object");
  const usage = ctx.usageInjected ? [usageEdit(b, top)] : [];
  const model = mapped ? lastMember(b, top, "model") : undefined;
  if (mapped && (!model || b[model.value.start] !== 0x22)) throw refuse("model must be a string");
  const unmapped = usage.length > 0 ? splice(b, usage) : b;
  return (name) => (name === null ? unmapped : splice(b, [...usage, { ...model!.value, bytes: Buffer.from(JSON.stringify(name)) }]));
}
