// Reads and understands the request body once: the bytes to forward (kept for failover), the JSON
// fields routing needs (model, stream), and what the request log shows.
import type { RequestContext } from "./context.ts";
import { HttpError } from "./openai-error.ts";

const decoder = new TextDecoder();

function tooLarge(max: number): HttpError {
  return new HttpError(413, "request_too_large", `request body is larger than ${max} bytes; send less or raise --max-body`);
}

async function readLimited(req: Request, max: number): Promise<Uint8Array | null> {
  // Decided from the headers: touching req.body would build a ReadableStream for every request.
  const declared = req.headers.get("content-length");
  if (declared !== null) {
    if (Number(declared) > max) throw tooLarge(max);
    return new Uint8Array(await req.arrayBuffer());
  }
  if (!req.headers.has("transfer-encoding") || req.body === null) return null;
  // Chunked upload: count as it arrives and stop at the limit instead of buffering it all.
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of req.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.length;
    if (size > max) throw tooLarge(max);
    chunks.push(chunk);
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
}

async function summarizeMultipart(ctx: RequestContext, body: Uint8Array): Promise<void> {
  try {
    const form = await new Response(body, { headers: { "content-type": ctx.contentType! } }).formData();
    const fields: Record<string, unknown> = {};
    form.forEach((v, k) => {
      fields[k] = typeof v === "string" ? v : { filename: v.name, type: v.type, bytes: v.size };
    });
    if (typeof fields.model === "string") ctx.model = fields.model;
    ctx.stream = fields.stream === "true";
    ctx.bodySummary = JSON.stringify(fields);
  } catch {
    ctx.bodySummary = `[multipart body, ${body.length} bytes, not parseable]`;
  }
}

/** First byte past whitespace (and a BOM) is `{`: worth trying as JSON whatever the content type says. */
function startsLikeObject(b: Uint8Array): boolean {
  let i = b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? 3 : 0;
  while (b[i] === 0x20 || b[i] === 0x0a || b[i] === 0x0d || b[i] === 0x09) i++;
  return b[i] === 0x7b;
}

/**
 * Parses the body and takes the fields routing needs from a JSON object. `declared`: the client
 * said JSON, so text that does not parse is its error (400); otherwise it simply is not JSON (false).
 * A body too deep for the parser is refused either way: it would otherwise go unrouted.
 */
function readJson(ctx: RequestContext, body: Uint8Array, declared: boolean): boolean {
  let parsed: unknown;
  const text = decoder.decode(body);
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    if (err instanceof RangeError) throw new HttpError(400, "invalid_request", "request body is nested too deeply to read; flatten it");
    if (!declared) return false;
    throw new HttpError(400, "invalid_json", `request body is not valid JSON (${(err as Error).message}); send a JSON object`);
  }
  ctx.bodyText = text; // kept: the log row shows this text, decoded once
  if (parsed !== null && typeof parsed === "object" && !Array.isArray(parsed)) {
    const json = parsed as Record<string, unknown>;
    ctx.json = json;
    if (typeof json.model === "string") ctx.model = json.model;
    ctx.stream = json.stream === true;
  }
  return true;
}

export async function readBody(ctx: RequestContext, maxBytes: number): Promise<void> {
  if (ctx.method === "GET" || ctx.method === "HEAD") return;
  let body: Uint8Array | null;
  try {
    body = await readLimited(ctx.req, maxBytes);
  } catch (err) {
    if (err instanceof HttpError) throw err;
    throw new HttpError(400, "invalid_request", `request body could not be read: ${(err as Error).message}`);
  }
  if (body === null || body.length === 0) return;
  ctx.body = body;
  const type = ctx.contentType ?? "";
  if (type.includes("json")) {
    readJson(ctx, body, true);
  } else if (type.startsWith("multipart/form-data")) {
    await summarizeMultipart(ctx, body);
  } else if (!(startsLikeObject(body) && readJson(ctx, body, false)) && !type.startsWith("text/") && !type.includes("x-www-form-urlencoded")) {
    ctx.bodySummary = `[${type || "unknown type"} body, ${body.length} bytes]`;
  }
}
