// The request body one upstream gets: the client's bytes as they came, unless the model has to be
// renamed for that upstream (model_mapping), in which case the JSON is re-serialised with it.
// Only JSON bodies are rewritten; other bodies (multipart, binary) go as they came.
import type { RequestContext } from "./context.ts";

const encoder = new TextEncoder();

export function upstreamBody(ctx: RequestContext, model: string | null): Uint8Array | null {
  if (model === null || ctx.json === null) return ctx.body;
  return encoder.encode(JSON.stringify({ ...ctx.json, model }));
}
