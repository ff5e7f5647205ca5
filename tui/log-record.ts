// One request in full, as lines for the request view: what was asked (chat messages as
// "role: text", other bodies as JSON), the whole reply, tool calls, and every attempt with its
// outcome, so an operator sees why a request went where it went.
import type { LogRecordView } from "../shared/rpc/contract.ts";
import { dateTime, ms, usd, wrap } from "./format.ts";
import { plain, type StyledLine } from "./styled-line.ts";
import type { Role } from "./theme.ts";

export function statusRole(status: number): Role | undefined {
  if (status >= 500) return "error";
  if (status === 499) return "muted";
  if (status >= 400) return "warn";
  return undefined;
}

function partText(part: unknown): string {
  if (typeof part === "string") return part;
  if (part && typeof part === "object") {
    const p = part as Record<string, unknown>;
    if (typeof p.text === "string") return p.text;
    if (typeof p.type === "string") return `[${p.type}]`;
  }
  return JSON.stringify(part);
}

function contentText(content: unknown): string {
  if (content === null || content === undefined) return "";
  if (Array.isArray(content)) return content.map(partText).join("\n");
  return partText(content);
}

/** The request as readable text: messages when it has them, else the body itself. */
export function requestText(body: string | null): { label: string; text: string }[] {
  if (!body) return [{ label: "", text: "(no body)" }];
  let json: any;
  try {
    json = JSON.parse(body);
  } catch {
    return [{ label: "", text: body }];
  }
  if (Array.isArray(json?.messages)) {
    return json.messages.map((m: any) => {
      const calls = Array.isArray(m?.tool_calls) ? `\n[tool calls] ${JSON.stringify(m.tool_calls)}` : "";
      return { label: String(m?.role ?? "?"), text: contentText(m?.content) + calls };
    });
  }
  if (typeof json?.input === "string" || Array.isArray(json?.input)) {
    const items = Array.isArray(json.input) ? json.input : [{ role: "user", content: json.input }];
    return items.map((m: any) => ({ label: String(m?.role ?? m?.type ?? "input"), text: contentText(m?.content ?? m) }));
  }
  if (typeof json?.prompt === "string") return [{ label: "prompt", text: json.prompt }];
  return [{ label: "", text: JSON.stringify(json, null, 2) }];
}

export function recordLines(r: LogRecordView, width: number, hr = "-"): StyledLine[] {
  const out: StyledLine[] = [];
  const field = (k: string, v: string, role?: Role) => out.push(plain(`${k.padEnd(10)}${v}`, role));
  const section = (title: string) => {
    out.push(plain(""));
    out.push(plain(`${hr.repeat(2)} ${title} ${hr.repeat(Math.max(2, width - title.length - 4))}`, "title", true));
  };
  const text = (s: string, role?: Role) => {
    for (const l of wrap(s, width)) out.push(plain(l, role));
  };

  out.push(plain(`${r.method} ${r.path}  ${r.status}${r.model ? `  model ${r.model}` : ""}${r.stream ? "  stream" : ""}`, statusRole(r.status), true));
  field("id", r.id);
  field("time", dateTime(r.ts));
  field("upstream", r.upstreamName ?? (r.upstreamId === null ? "none answered" : `#${r.upstreamId}`));
  field("timing", `first byte ${ms(r.ttfbMs)}  first token ${ms(r.ttftMs)}  total ${ms(r.totalMs)}`);
  field("tokens", `prompt ${r.promptTokens ?? "-"}  completion ${r.completionTokens ?? "-"}  total ${r.totalTokens ?? "-"}${r.tokensEstimated ? "  (estimated)" : ""}`);
  if (r.upstreamModel && r.upstreamModel !== r.model) field("sent as", `model ${r.upstreamModel} (the upstream's name for it)`);
  field("client", `${r.clientIp ?? "-"}${r.userAgent ? `  ${r.userAgent}` : ""}`);
  field("key", r.keyName ?? (r.keyId ? `#${r.keyId}` : "shared (authorization)"));
  field("cost", r.costMicros === undefined ? "-" : r.costMicros === null ? "unknown (no price for the model)" : usd(r.costMicros), r.costMicros == null ? "muted" : undefined);
  if (r.priceSource) field("price", r.priceSource);
  if (r.errorCode || r.errorMessage) field("error", `${r.errorCode ?? ""}${r.errorMessage ? `: ${r.errorMessage}` : ""}`, "error");

  section(`attempts (${r.attempts.length})`);
  if (r.plan?.length) out.push(plain(`plan: ${r.plan.join(" > ")}`, "muted"));
  if (r.attempts.length === 0) out.push(plain("none: answered by routed itself", "muted"));
  r.attempts.forEach((a, i) => {
    const role: Role | undefined = a.outcome === "ok" ? "ok" : a.outcome === "http_4xx" ? "warn" : "error";
    out.push(plain(`${i + 1}. ${a.upstream.padEnd(16)} ${a.outcome.padEnd(14)} ${String(a.status ?? "-").padEnd(4)} ${ms(a.ms)}`, role));
  });

  section(`request (${r.requestBytes} bytes${r.requestTruncated ? ", truncated: only the first 1 MiB was kept" : ""})`);
  for (const m of requestText(r.requestBody)) {
    if (m.label) out.push(plain(`[${m.label}]`, "accent", true));
    text(m.text || "(empty)");
  }

  section("reply");
  text(r.replyText ?? "(no reply text)", r.replyText ? undefined : "muted");
  if (r.toolCalls?.length) {
    section("tool calls");
    text(JSON.stringify(r.toolCalls, null, 2));
  }
  return out;
}
