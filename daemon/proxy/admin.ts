// openai-api-route's admin HTTP API, JSON with the seed's field names (ID, SK, Endpoint). Keys are
// only ever shown masked. Upstreams from upstreams.yaml are owned by the file: edit them there.
import { z } from "zod";
import { maskSecret } from "../../shared/secrets.ts";
import { fileUpstreamSchema } from "../config/schema.ts";
import type { Store, UpstreamRecord } from "../store/types.ts";
import { errorResponse } from "./openai-error.ts";

export interface AdminDeps {
  store: Store;
  /** Re-reads the store into the live pool, so the next request sees the change. */
  reload: () => Promise<void>;
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
    StreamTimeout: u.streamTimeoutMs === null ? null : u.streamTimeoutMs / 1000,
    Position: u.position + 1,
    Source: u.source,
  };
}

// The seed's capitalised names and lower-case ones are both accepted.
const bodySchema = z
  .record(z.string(), z.unknown())
  .transform((o) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k.toLowerCase().replace("streamtimeout", "stream_timeout"), v])))
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

export async function handleAdmin(req: Request, url: URL, deps: AdminDeps): Promise<Response> {
  const m = /^\/admin\/upstreams(?:\/(\d+))?\/?$/.exec(url.pathname);
  if (!m) return errorResponse(404, "not_found", `unknown admin path ${url.pathname}; use /admin/upstreams or /admin/upstreams/:id`);
  const id = m[1] === undefined ? null : Number(m[1]);
  const { store } = deps;

  if (id === null) {
    if (req.method === "GET") return json((await store.listUpstreams()).map(adminView));
    if (req.method !== "POST") return errorResponse(405, "method_not_allowed", "use GET or POST on /admin/upstreams");
    const body = await parseBody(req);
    if (body.error) return body.error;
    const u = body.data;
    if (!u.sk || !u.endpoint) return errorResponse(400, "invalid_request", "SK and Endpoint are required");
    const all = await store.listUpstreams();
    if (u.name && all.some((r) => r.name === u.name)) return errorResponse(409, "duplicate_name", `an upstream named "${u.name}" exists; choose another name`);
    const row = await store.insertUpstream({
      name: u.name ?? null,
      sk: u.sk,
      endpoint: u.endpoint,
      timeoutMs: u.timeout ?? null,
      streamTimeoutMs: u.stream_timeout ?? null,
      enabled: u.enabled ?? true,
      position: all.length === 0 ? 0 : Math.max(...all.map((r) => r.position)) + 1,
      source: "runtime",
    });
    await deps.reload();
    return json({ message: "success", ID: row.id, upstream: adminView(row) });
  }

  const rows = await store.listUpstreams();
  const row = rows.find((r) => r.id === id);
  if (!row) return errorResponse(404, "not_found", `no upstream with ID ${id}; GET /admin/upstreams lists them`);
  if (req.method === "GET") return json(adminView(row));
  if (req.method !== "PUT" && req.method !== "DELETE") return errorResponse(405, "method_not_allowed", "use GET, PUT or DELETE on /admin/upstreams/:id");
  if (row.source === "file") {
    return errorResponse(409, "file_managed", `upstream ${id} comes from upstreams.yaml; edit the file and restart (or reload) routed instead`);
  }
  if (req.method === "DELETE") {
    await store.deleteUpstream(id);
    await deps.reload();
    return json({ message: "success" });
  }
  const body = await parseBody(req);
  if (body.error) return body.error;
  const u = body.data;
  if (u.name && rows.some((r) => r.name === u.name && r.id !== id)) return errorResponse(409, "duplicate_name", `an upstream named "${u.name}" exists; choose another name`);
  const updated = await store.updateUpstream(id, {
    ...(u.name !== undefined && { name: u.name }),
    ...(u.sk !== undefined && { sk: u.sk }),
    ...(u.endpoint !== undefined && { endpoint: u.endpoint }),
    ...(u.timeout !== undefined && { timeoutMs: u.timeout }),
    ...(u.stream_timeout !== undefined && { streamTimeoutMs: u.stream_timeout }),
    ...(u.enabled !== undefined && { enabled: u.enabled }),
  });
  await deps.reload();
  return json({ message: "success", upstream: adminView(updated!) });
}
