// The store contract the rest of the daemon depends on. The proxy only sees this interface, so a
// Postgres backend is one more implementation of it, not a change to the request path.

export type UpstreamSource = "file" | "runtime";

export interface UpstreamRecord {
  id: number;
  name: string | null;
  endpoint: string;
  sk: string;
  timeoutMs: number | null; // null: the global default applies
  streamTimeoutMs: number | null;
  enabled: boolean;
  position: number;
  source: UpstreamSource;
  createdAt: number;
  updatedAt: number;
}

export type NewUpstream = Omit<UpstreamRecord, "id" | "createdAt" | "updatedAt">;
export type UpstreamPatch = Partial<Omit<UpstreamRecord, "id" | "createdAt" | "updatedAt">>;

export interface AttemptRecord {
  upstreamId: number;
  upstream: string;
  outcome: string; // "ok", "http_429", "http_5xx", "connect_error", "timeout", "reset", "stream_error", …
  status?: number;
  ms: number;
}

export interface LogRow {
  id: string;
  ts: number;
  clientIp: string | null;
  method: string;
  path: string;
  model: string | null;
  stream: boolean;
  requestBody: string | null;
  requestBytes: number;
  requestTruncated: boolean;
  upstreamId: number | null;
  upstreamName: string | null;
  attempts: AttemptRecord[];
  status: number;
  ttfbMs: number | null;
  ttftMs: number | null;
  totalMs: number;
  replyText: string | null;
  toolCalls: unknown[] | null;
  promptTokens: number | null;
  completionTokens: number | null;
  totalTokens: number | null;
  errorCode: string | null;
  errorMessage: string | null;
  userAgent: string | null;
}

export interface Store {
  readonly kind: "sqlite" | "postgres";
  readonly location: string;
  listUpstreams(): Promise<UpstreamRecord[]>;
  insertUpstream(u: NewUpstream): Promise<UpstreamRecord>;
  updateUpstream(id: number, patch: UpstreamPatch): Promise<UpstreamRecord | null>;
  deleteUpstream(id: number): Promise<boolean>;
  /** Writes a batch in one transaction: all rows or none. */
  insertLogs(rows: LogRow[]): Promise<void>;
  countLogs(): Promise<number>;
  listLogs(limit: number): Promise<LogRow[]>;
  getLog(id: string): Promise<LogRow | null>;
  close(): Promise<void>;
}
