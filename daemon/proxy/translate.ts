// The adapter stage: which upstreams can take a request in the client's format (the same format,
// or one an adapter translates to for this path), and the body an adapter sends.
import { adapterFor, wireOf } from "../adapters/registry.ts";
import type { Adapter, WireFormat } from "../adapters/types.ts";
import type { PoolUpstream } from "../routing/pool.ts";
import type { RequestContext } from "./context.ts";

const encoder = new TextEncoder();
const wiresOf = new WeakMap<readonly PoolUpstream[], Set<WireFormat>>();

/**
 * The plan's filter: the key's (groups) and, when some upstream speaks another format than the
 * client, that a way exists to it for this path. null when nothing filters (the common case: every
 * upstream speaks the client's format), so the router makes no copy.
 */
export function servableBy(ctx: RequestContext, all: readonly PoolUpstream[], keyAllow: ((u: PoolUpstream) => boolean) | null): ((u: PoolUpstream) => boolean) | null {
  let wires = wiresOf.get(all); // one Set per pool rebuild
  if (!wires) wiresOf.set(all, (wires = new Set(all.map(wireOf))));
  if (wires.size === 1 && wires.has(ctx.format)) return keyAllow;
  const reachable = (u: PoolUpstream) => {
    const a = adapterFor(ctx.format, u, ctx.path);
    return a === null || (a !== undefined && ctx.json !== null); // a translation needs a JSON body
  };
  return keyAllow ? (u) => keyAllow(u) && reachable(u) : reachable;
}

/** The upstream's request, translated from the client's JSON (the model: the upstream's name). */
export function translatedBody(ctx: RequestContext, adapter: Adapter, upstreamModel: string | null): Uint8Array {
  const model = upstreamModel ?? ctx.model ?? "";
  return encoder.encode(JSON.stringify(adapter.request(ctx.json!, { model, stream: ctx.stream })));
}

const decoder = new TextDecoder();
/**
 * An OpenAI-format upstream of an Anthropic client gets none of its anthropic-* headers (an
 * Anthropic upstream gets them untouched: versions and betas pass through).
 */
export function withoutAnthropicHeaders(h: Record<string, string>): Record<string, string> {
  for (const k of Object.keys(h)) if (k.startsWith("anthropic-")) delete h[k];
  return h;
}

/** A whole upstream answer in the client's format; null when a 2xx body is not the JSON it should be. */
export function translatedAnswer(adapter: Adapter, status: number, body: Uint8Array, model: string): { status: number; body: Uint8Array } | null {
  let parsed: unknown = null;
  try {
    parsed = JSON.parse(decoder.decode(body));
  } catch {
    if (status < 400) return null;
  }
  if (status >= 400) {
    const e = adapter.error(status, parsed);
    return { status: e.status, body: encoder.encode(e.body) };
  }
  if (parsed === null || typeof parsed !== "object") return null;
  return { status, body: encoder.encode(JSON.stringify(adapter.response(parsed as Record<string, unknown>, { model }))) };
}

/** Whole upstream events in, whole client events out (the framer upstream of it keeps events whole). */
export function streamTranslation(adapter: Adapter, model: string, includeUsage: boolean) {
  const t = adapter.stream({ model, includeUsage });
  const out = (s: string) => (s.length > 0 ? encoder.encode(s) : null);
  return {
    push: (events: Uint8Array | null) => (events && events.length > 0 ? out(t.push(decoder.decode(events))) : null),
    end: (rest: Uint8Array | null) => out((rest && rest.length > 0 ? t.push(decoder.decode(rest)) : "") + t.end()),
    fail: (code: string, message: string) => encoder.encode(t.fail(code, message)),
  };
}
