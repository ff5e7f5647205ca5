// upstreams.test: one real request through an upstream (GET {endpoint}/models with its key),
// outside the proxy: not logged, no failover. Reports status, latency and how many models it lists.
import type { z } from "zod";
import type { upstreamTestSchema } from "../../shared/rpc/contract.ts";
import { redactText } from "../proxy/redact.ts";
import { compileTarget } from "../routing/target.ts";
import type { UpstreamRecord } from "../store/types.ts";

export type ProbeResult = z.input<typeof upstreamTestSchema>;

export async function probeUpstream(u: Omit<UpstreamRecord, "groups">, timeoutMs: number, fetchFn: typeof fetch = fetch): Promise<ProbeResult> {
  // Through the upstream's own target, so Azure gets its account-level URL and api-key header,
  // Anthropic its x-api-key and anthropic-version, Gemini its x-goog-api-key.
  const target = compileTarget(u);
  // Anthropic pages its list (20 by default): ask for its largest page so the count means something.
  const url = target.url("/v1/models", target.wire === "anthropic" ? "?limit=1000" : "", null);
  const headers: Record<string, string> = Object.fromEntries([...target.defaultHeaders, ...target.headers]);
  headers[target.auth[0]] = target.auth[1];
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const res = await fetchFn(url, { headers, signal: AbortSignal.timeout(timeoutMs), redirect: "manual" });
    const text = await res.text();
    const latencyMs = elapsed();
    const models = modelCount(text);
    const ok = res.status >= 200 && res.status < 300;
    // Error bodies may echo the key ("Incorrect API key provided: sk-…"): redacted like proxied ones.
    const error = ok ? null : redactText(`HTTP ${res.status}: ${text.slice(0, 300)}`, u.sk);
    return { ok, url, status: res.status, latencyMs, models, error };
  } catch (err) {
    const timedOut = (err as Error).name === "TimeoutError";
    const error = timedOut ? `no answer within ${timeoutMs} ms` : redactText((err as Error).message, u.sk);
    return { ok: false, url, status: null, latencyMs: elapsed(), models: null, error };
  }
}

/** Models in a listing: OpenAI's (and Gemini's) `{object: "list", data: [...]}` and Anthropic's `{data: [{id, type: "model"}], has_more}` alike. */
function modelCount(text: string): number | null {
  try {
    const body = JSON.parse(text);
    return Array.isArray(body?.data) ? body.data.length : null;
  } catch {
    return null;
  }
}
