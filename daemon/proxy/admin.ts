// openai-api-route's admin HTTP API, JSON with the seed's field names (ID, SK, Endpoint). Keys are
// only ever shown masked. Changes go through the upstream service, like the control socket's, so
// both follow the same rules (file-managed upstreams are written back to upstreams.yaml).
import { z } from "zod";
import { RpcError, type RpcErrorCode } from "../../shared/rpc/errors.ts";
import { maskSecret } from "../../shared/secrets.ts";
import { fileUpstreamSchema } from "../config/schema.ts";
import { fieldsFromFile } from "../store/reconcile.ts";
import type { UpstreamRecord } from "../store/types.ts";
import type { UpstreamService } from "../upstreams/service.ts";
import { errorResponse } from "./openai-error.ts";

export interface AdminDeps {
  upstreams: UpstreamService;
}

const json = (body: unknown, status = 200) => Response.json(body, { status });

export function adminView(u: UpstreamRecord) {
  return {
    ID: u.id,
    Name: u.name,
    SK: maskSecret(u.sk),
    Endpoint: u.endpoint,
    Enabled: u.enabled,
    Timeout: u.timeoutMs === null ? null : u.timeoutMs / 1000,
    StreamTimeout: u.streamTimeoutAuto ? "auto" : u.streamTimeoutMs === null ? null : u.streamTimeoutMs / 1000,
    StallTimeout: u.stallTimeoutMs === null ? null : u.stallTimeoutMs / 1000,
    Position: u.position + 1,
    Source: u.source,
    Type: u.type,
    ApiVersion: u.apiVersion,
    Models: u.models,
    ModelMapping: u.modelMapping,
    Weight: u.weight,
    Priority: u.priority,
    RPM: u.rpm,
    RPD: u.rpd,
    TPM: u.tpm,
    MaxInflight: u.maxInflight,
    Group: u.groups,
    Prices: u.prices,
    Responses: u.responses,
    Headers: u.headers === null ? null : Object.fromEntries(Object.keys(u.headers).map((k) => [k, "****"])), // may hold secrets
  };
}

// The seed's capitalised names (StreamTimeout), camelCase and the file's snake_case are all accepted.
const FILE_KEYS = new Map(Object.keys(fileUpstreamSchema.shape).map((k) => [k.replace(/_/g, ""), k]));
const fileKey = (k: string) => FILE_KEYS.get(k.toLowerCase().replace(/_/g, "")) ?? k;
const bodySchema = z
  .record(z.string(), z.unknown())
  .transform((o) => Object.fromEntries(Object.entries(o).map(([k, v]) => [fileKey(k), v])))
  .pipe(fileUpstreamSchema.omit({ sk: true, endpoint: true }).extend({ sk: fileUpstreamSchema.shape.sk, endpoint: fileUpstreamSchema.shape.endpoint }).partial());

async function parseBody(req: Request) {
  let raw: unknown;
  try {
    raw = await req.json();
  } catch {
    return { error: errorResponse(400, "invalid_json", "request body is not valid JSON; send {\"SK\": \"…\", \"Endpoint\": \"https://…/v1\"}") };
  }
  const parsed = bodySchema.safeParse(raw);
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    const field = i.code === "unrecognized_keys" ? i.keys.join(", ") : i.path.join(".") || "body";
    const msg = i.code === "unrecognized_keys" ? "unknown field; remove it" : i.message;
    return { error: errorResponse(400, "invalid_request", `${field}: ${msg}`) };
  }
  return { data: parsed.data };
}

const STATUS: Partial<Record<RpcErrorCode, number>> = {
  not_found: 404,
  duplicate_name: 409,
  file_managed: 409,
  file_changed: 409,
  file_invalid: 409,
  invalid_position: 400,
};

/** The service's errors as OpenAI envelopes with the matching HTTP status. */
async function answer(run: () => Promise<Response>): Promise<Response> {
  try {
    return await run();
  } catch (err) {
    if (!(err instanceof RpcError)) throw err;
    return errorResponse(STATUS[err.code] ?? 400, err.code, err.message);
  }
}

export async function handleAdmin(req: Request, url: URL, deps: AdminDeps): Promise<Response> {
  const m = /^\/admin\/upstreams(?:\/(\d+))?\/?$/.exec(url.pathname);
  if (!m) return errorResponse(404, "not_found", `unknown admin path ${url.pathname}; use /admin/upstreams or /admin/upstreams/:id`);
  const id = m[1] === undefined ? null : Number(m[1]);
  const { upstreams } = deps;

  if (id === null) {
    if (req.method === "GET") return json((await upstreams.list()).map(adminView));
    if (req.method !== "POST") return errorResponse(405, "method_not_allowed", "use GET or POST on /admin/upstreams");
    const body = await parseBody(req);
    if (body.error) return body.error;
    const u = body.data;
    if (!u.sk || !u.endpoint) return errorResponse(400, "invalid_request", "SK and Endpoint are required");
    return answer(async () => {
      const row = await upstreams.add({ ...fields(u), sk: u.sk!, endpoint: u.endpoint! });
      return json({ message: "success", ID: row.id, upstream: adminView(row) });
    });
  }

  if (req.method === "GET") return answer(async () => json(adminView(await upstreams.get(id))));
  if (req.method === "DELETE") return answer(async () => (await upstreams.remove(id), json({ message: "success" })));
  if (req.method !== "PUT") return errorResponse(405, "method_not_allowed", "use GET, PUT or DELETE on /admin/upstreams/:id");
  const body = await parseBody(req);
  if (body.error) return body.error;
  return answer(async () => json({ message: "success", upstream: adminView(await upstreams.update(id, fields(body.data))) }));
}

/** Admin body (durations already in ms) → the service's field names; absent fields stay untouched. */
const fields = (u: z.output<typeof bodySchema>) => fieldsFromFile(u);
