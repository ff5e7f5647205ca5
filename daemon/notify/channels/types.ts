import type { EventType, NotifyEvent } from "../events.ts";

export interface Delivery {
  ok: boolean;
  status: number | null; // HTTP status, null when nothing answered
  detail: string; // the channel's answer, short; never contains the channel's secrets
  retryable: boolean;
}

export interface OutgoingMessage {
  text: string;
  event: NotifyEvent;
  more: number;
}

export interface Channel {
  readonly name: string; // metrics label and `routectl notify test NAME`
  readonly kind: "feishu" | "matrix" | "webhook";
  readonly target: string; // host only: shown by notify.list, safe to print
  readonly events: ReadonlySet<EventType>;
  /** One try; the notifier retries. `attempt` lets a channel keep idempotency keys across retries. */
  send(msg: OutgoingMessage, signal: AbortSignal, attempt: number): Promise<Delivery>;
}

export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

/** Shared HTTP outcome rules: 2xx is delivered; 429/5xx and network errors are worth a retry. */
export async function deliver(fetchFn: FetchLike, url: string, init: RequestInit, judge?: (body: string) => string | null): Promise<Delivery> {
  let res: Response;
  try {
    res = await fetchFn(url, { ...init, redirect: "manual" });
  } catch (err) {
    return { ok: false, status: null, detail: (err as Error).name === "TimeoutError" || (err as Error).name === "AbortError" ? "timed out" : `unreachable (${(err as Error).message})`, retryable: true };
  }
  const body = (await res.text().catch(() => "")).slice(0, 300);
  if (!res.ok) return { ok: false, status: res.status, detail: `HTTP ${res.status}: ${body}`, retryable: res.status === 429 || res.status >= 500 };
  const problem = judge?.(body) ?? null;
  if (problem) return { ok: false, status: res.status, detail: problem, retryable: false };
  return { ok: true, status: res.status, detail: body || "ok", retryable: false };
}
