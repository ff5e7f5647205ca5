// Everything one request accumulates on its way through the pipeline; at the end it becomes
// exactly one request-log row (built later, off the response path, by log-entry.ts).
import type { Adapter, WireFormat } from "../adapters/types.ts";
import { clientFormat } from "../adapters/registry.ts";
import type { PoolUpstream } from "../routing/pool.ts";
import type { PlannedSession } from "../routing/router.ts";
import type { AttemptRecord } from "../store/types.ts";
import type { StreamReply } from "./reply.ts";
import type { KeyTicket } from "../keys/admission.ts";
import type { KeyEntry } from "../keys/registry.ts";

export interface RequestContext {
  readonly id: string;
  readonly ts: number; // wall clock at arrival (ms)
  readonly t0: number; // performance.now() at arrival
  readonly req: Request;
  readonly method: string;
  readonly path: string; // pathname, e.g. /v1/chat/completions
  readonly search: string;
  /** The API format the client speaks: OpenAI's, or Anthropic's on /v1/messages. */
  readonly format: WireFormat;
  /** The translation the answering attempt used (null: the upstream speaks the client's format). */
  adapter: Adapter | null;
  clientIp: string | null;
  body: Uint8Array | null;
  /** The body as text when it was decoded to be parsed (JSON). */
  bodyText: string | null;
  contentType: string | null;
  /** The request body as logged when it is not JSON text (multipart fields, binary summary). */
  bodySummary: string | null;
  json: Record<string, unknown> | null;
  model: string | null;
  stream: boolean;
  attempts: AttemptRecord[];
  upstream: PoolUpstream | null;
  /** Labels of the upstreams this request may try, in order (set once when the plan is made). */
  plan: string[] | null;
  /** The request's affinity session and the upstream it preferred (set with the plan). */
  session: PlannedSession | null;
  /** The model name sent to the answering upstream when a mapping changed it. */
  upstreamModel: string | null;
  status: number;
  ttfbMs: number | null;
  ttftMs: number | null;
  totalMs: number | null;
  streamReply: StreamReply | null;
  responseBody: Uint8Array | null; // buffered JSON/text response, parsed for the reply at log time
  errorCode: string | null;
  errorMessage: string | null;
  /** The client key the request came with (null: a shared `authorization` key, or --noauth). */
  key: KeyEntry | null;
  /** What the key's admission holds (in-flight count, budget reservation) until release and settlement. */
  keyTicket: KeyTicket | null;
  /** The answering upstream's own request id, from its response headers. */
  upstreamRequestId: string | null;
  finished: boolean;
  /** Route added stream_options.include_usage for its own metering: the usage-only chunk is hidden from the client. */
  usageInjected: boolean;
  /** Corrects the answering upstream's token count (limits) once the real usage is known. */
  limitCorrect: ((tokens: number) => void) | null;
  /** The log queue was over its byte bound: bodies were released before the row was built. */
  bodiesDropped: { requestBytes: number } | null;
}

export function createContext(req: Request, url: URL, id: string, format: WireFormat = clientFormat(url.pathname)): RequestContext {
  return {
    id,
    ts: Date.now(),
    t0: performance.now(),
    req,
    method: req.method,
    path: url.pathname,
    search: url.search,
    format,
    adapter: null,
    clientIp: null,
    body: null,
    bodyText: null,
    contentType: req.headers.get("content-type"),
    bodySummary: null,
    json: null,
    model: null,
    stream: false,
    attempts: [],
    upstream: null,
    plan: null,
    session: null,
    upstreamModel: null,
    status: 0,
    ttfbMs: null,
    ttftMs: null,
    totalMs: null,
    streamReply: null,
    responseBody: null,
    errorCode: null,
    errorMessage: null,
    upstreamRequestId: null,
    key: null,
    keyTicket: null,
    finished: false,
    usageInjected: false,
    limitCorrect: null,
    bodiesDropped: null,
  };
}

export const elapsed = (ctx: RequestContext) => performance.now() - ctx.t0;
