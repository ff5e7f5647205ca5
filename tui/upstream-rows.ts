// How an upstream reads on screen: the table row of the Upstreams screen (list data joined with
// the latest stats tick) and the lines of its details view.
import type { StatsView, UpstreamView } from "../shared/rpc/contract.ts";
import { dateTime, count, hostOf, ms, pct, rate, type Col } from "./format.ts";
import { plain, type StyledLine } from "./styled-line.ts";
import type { Role } from "./theme.ts";

type Live = StatsView["upstreams"][number];
type State = UpstreamView["state"];

/** Operators read "healthy / failing / disabled"; routed says up / down / disabled. */
export function stateWord(state: State | undefined): [string, Role] {
  if (state === "up") return ["healthy", "ok"];
  if (state === "down") return ["down", "error"]; // out of rotation: failing, cooling or misconfigured
  if (state === "disabled") return ["disabled", "muted"];
  return ["?", "muted"];
}

export const UPSTREAM_COLS: Col[] = [
  { header: "#", width: 2, align: "right" },
  { header: "NAME", width: 6, grow: 1 },
  { header: "HOST", width: 8, grow: 2 },
  { header: "ON", width: 3 },
  { header: "STATE", width: 8 },
  { header: "REQ/S", width: 5, align: "right" },
  { header: "ERR", width: 5, align: "right" },
  { header: "P50", width: 5, align: "right" },
  { header: "P95", width: 5, align: "right" },
  { header: "TTFT", width: 5, align: "right" },
  { header: "CACHE", width: 5, align: "right" }, // cached prompt tokens / prompt tokens over the window
  { header: "INFL", width: 4, align: "right" },
];

/**
 * The state to show: the latest tick's, except right after an enable/disable made here, when the
 * list (just re-read) is newer than the tick about to be replaced.
 */
export function currentState(u: UpstreamView, live: Live | undefined): State {
  if (!u.enabled) return "disabled";
  if (!live || live.state === "disabled") return u.state === "disabled" ? "up" : u.state;
  return live.state;
}

export function upstreamCells(u: UpstreamView, live: Live | undefined): string[] {
  const [state] = stateWord(currentState(u, live));
  return [
    String(u.position),
    u.label,
    hostOf(u.endpoint),
    u.enabled ? "on" : "off",
    state,
    live ? rate(live.rps) : "-",
    live ? pct(live.errorRate) : "-",
    ms(live?.latencyMs?.p50),
    ms(live?.latencyMs?.p95),
    ms(live?.ttftMs?.p50),
    pct(live?.cachedRatio),
    live ? String(live.inflight) : "-",
  ];
}

const SHOWN = new Set(["id", "name", "label", "position", "endpoint", "sk", "timeoutMs", "streamTimeoutMs", "enabled", "source", "extra", "state", "createdAt", "updatedAt"]);

export function upstreamDetails(u: UpstreamView, live: Live | undefined): StyledLine[] {
  const [state, role] = stateWord(currentState(u, live));
  const field = (k: string, v: string, r?: Role) => plain(`${k.padEnd(16)}${v}`, r);
  const lines: StyledLine[] = [
    field("position", `${u.position} in the failover order`),
    field("id", String(u.id)),
    field("name", u.name ?? "(none)"),
    field("endpoint", u.endpoint),
    field("key", u.sk),
    field("enabled", u.enabled ? "yes" : "no"),
    field("state", state, role),
    field("timeout", u.timeoutMs === null ? "default" : ms(u.timeoutMs)),
    field("stream timeout", u.streamTimeoutMs === null ? "default" : ms(u.streamTimeoutMs)),
    field("source", u.source === "file" ? "upstreams.yaml (edits are written back)" : "runtime (database only)"),
    field("created", dateTime(u.createdAt)),
    field("updated", dateTime(u.updatedAt)),
    plain(""),
  ];
  if (live) {
    lines.push(plain("live (routed's stats window)", "title", true));
    lines.push(field("requests/s", rate(live.rps)));
    lines.push(field("attempts", count(live.attempts)));
    lines.push(field("error rate", pct(live.errorRate), live.errorRate ? "error" : undefined));
    lines.push(field("latency", `p50 ${ms(live.latencyMs?.p50)}  p95 ${ms(live.latencyMs?.p95)}`));
    lines.push(field("first token", `p50 ${ms(live.ttftMs?.p50)}  p95 ${ms(live.ttftMs?.p95)}`));
    lines.push(field("cache hit rate", `${pct(live.cachedRatio)} of prompt tokens read from the provider's cache`));
    lines.push(field("in flight", String(live.inflight)));
    const errors = Object.entries(live.errors).sort((a, b) => b[1] - a[1]);
    lines.push(field("by outcome", errors.length ? errors.map(([k, v]) => `${k} ${pct(v)}`).join(", ") : "no failures"));
    lines.push(plain(""));
  }
  // Routing settings routed reports (and any field a newer routed adds): shown when set. `false` is
  // a default except for `responses`, where it means "translated to Chat Completions".
  const set = Object.entries(u).filter(([k, v]) => !SHOWN.has(k) && v !== null && (v !== false || k === "responses") && !(k === "type" && v === "openai"));
  if (set.length) {
    lines.push(plain("routing settings", "title", true));
    for (const [k, v] of set) lines.push(field(k, typeof v === "string" ? v : JSON.stringify(v)));
    lines.push(plain(""));
  }
  if (u.extra && Object.keys(u.extra).length) {
    lines.push(plain("extra (kept, not used)", "title", true));
    for (const l of JSON.stringify(u.extra, null, 2).split("\n")) lines.push(plain(l));
  }
  return lines;
}
