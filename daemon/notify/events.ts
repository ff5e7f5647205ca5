// What Route alerts on, and how an event reads as one short message. Event details are built only
// from labels, statuses and codes; any free text from an upstream is redacted before it gets here.

export const EVENT_TYPES = [
  "request_failed", // a request failed on every upstream
  "upstream_down", // an upstream was taken out of rotation
  "upstream_up", // … and is back
  "upstream_auth", // an upstream answered 401/403: its key is wrong
  "upstream_daily_limit", // an upstream reached its daily limit
  "log_store_failing", // request-log rows cannot be written
  "log_spooling", // … and are being spooled to a local file
  "log_spool_replayed", // the spooled rows are all in the store again
  "log_disk_low", // the database's disk is nearly full: rows are stored without bodies
  "log_disk_ok", // … and has space again
  "redis_down", // Redis (shared limits and health) cannot be reached
  "redis_recovered", // … and is back
  "key_soft_budget", // a client key's spend passed its soft budget (once per budget window)
  "key_exhausted", // a client key's spend reached its budget (once per budget window)
  "key_expiring", // a client key expires within 3 days (once per key and expiry)
  "daemon_started",
  "daemon_stopping",
  "test", // `routectl notify test`
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

export interface NotifyEvent {
  type: EventType;
  upstream?: string;
  key?: string; // a client key's name (never its secret)
  summary: string; // one line, no secrets
  detail?: Record<string, string | number | null>;
  excerpt?: string; // request excerpt, only when include_excerpt is on
  at: number; // ms since epoch
}

const TITLE: Record<EventType, string> = {
  request_failed: "Request failed on every upstream",
  upstream_down: "Upstream out of rotation",
  upstream_up: "Upstream back in rotation",
  upstream_auth: "Upstream rejected its key",
  upstream_daily_limit: "Upstream reached its daily limit",
  log_store_failing: "Request log store failing",
  log_spooling: "Request log spooling to disk",
  log_spool_replayed: "Request log spool replayed",
  log_disk_low: "Disk nearly full: request log without bodies",
  log_disk_ok: "Disk space back: request log bodies kept again",
  redis_down: "Redis unreachable: limits enforced per node",
  redis_recovered: "Redis reachable again: limits shared",
  key_soft_budget: "Client key passed its soft budget",
  key_exhausted: "Client key exhausted its budget",
  key_expiring: "Client key expires soon",
  daemon_started: "Route started",
  daemon_stopping: "Route stopping",
  test: "Route test message",
};

function minutes(ms: number): string {
  return ms % 60_000 === 0 ? `${ms / 60_000} min` : `${Math.round(ms / 1000)} s`;
}

/** The message text; `more` > 0 makes it the follow-up of a group ("12 more in 5 min"). */
export function formatEvent(e: NotifyEvent, host: string, more = 0, windowMs = 0): string {
  const head = `[Route@${host}] ${TITLE[e.type]}${e.upstream || e.key ? `: ${e.upstream ?? e.key}` : ""}`;
  const lines = [more > 0 ? `${head} (${more} more in ${minutes(windowMs)})` : head, e.summary];
  for (const [k, v] of Object.entries(e.detail ?? {})) if (v !== null && v !== "") lines.push(`${k}: ${v}`);
  if (e.excerpt) lines.push(`request: ${e.excerpt}`);
  lines.push(`at: ${new Date(e.at).toISOString()}`);
  return lines.join("\n");
}
