// Fans events out to channels without ever slowing a request: emit() only queues. Each channel has
// its own bounded queue and sends one message at a time with a timeout and a few retries, so a
// hanging or failing channel delays nothing but itself. Outcomes: sent, failed, dropped (queue
// full), capped (hourly cap).
import type { Channel, OutgoingMessage } from "./channels/types.ts";
import { formatEvent, type NotifyEvent } from "./events.ts";
import { createGrouper, createHourlyCap } from "./grouping.ts";

export type Outcome = "sent" | "failed" | "dropped" | "capped";

export interface NotifierOptions {
  channels: Channel[];
  host: string;
  windowMs?: number;
  hourlyCap?: number;
  timeoutMs?: number;
  retries?: number;
  backoffMs?: number;
  queueMax?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  onOutcome?: (channel: string, outcome: Outcome, detail: string) => void;
  /** Ticks follow-ups on a timer; tests call tick() themselves with a fake clock. */
  autoTick?: boolean;
}

export interface TestResult {
  channel: string;
  kind: string;
  ok: boolean;
  status: number | null;
  detail: string;
}

export function createNotifier(o: NotifierOptions) {
  const now = o.now ?? Date.now;
  const windowMs = o.windowMs ?? 300_000;
  const timeoutMs = o.timeoutMs ?? 5000;
  const retries = o.retries ?? 3;
  const backoffMs = o.backoffMs ?? 500;
  const queueMax = o.queueMax ?? 100;
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const grouper = createGrouper(windowMs, now);
  const outcome = (ch: Channel, out: Outcome, detail: string) => o.onOutcome?.(ch.name, out, detail);

  const senders = o.channels.map((ch) => {
    const queue: OutgoingMessage[] = [];
    const cap = createHourlyCap(o.hourlyCap ?? 30, now);
    let running: Promise<void> | null = null;

    async function sendWithRetries(msg: OutgoingMessage) {
      for (let attempt = 0; ; attempt++) {
        const r = await ch.send(msg, AbortSignal.timeout(timeoutMs), attempt);
        if (r.ok) return outcome(ch, "sent", r.detail);
        if (!r.retryable || attempt >= retries) return outcome(ch, "failed", r.detail);
        await sleep(backoffMs * 2 ** attempt);
      }
    }
    async function run() {
      for (let msg = queue.shift(); msg; msg = queue.shift()) {
        try {
          await sendWithRetries(msg);
        } catch (err) {
          outcome(ch, "failed", (err as Error).message);
        }
      }
      running = null;
    }
    return {
      ch,
      enqueue(msg: OutgoingMessage) {
        if (!cap.take()) return outcome(ch, "capped", "hourly cap reached");
        if (queue.length >= queueMax) return outcome(ch, "dropped", "queue full");
        queue.push(msg);
        running ??= run();
      },
      idle: () => running ?? Promise.resolve(),
    };
  });

  function fanOut(event: NotifyEvent, more: number) {
    const text = formatEvent(event, o.host, more, windowMs);
    for (const s of senders) if (s.ch.events.has(event.type)) s.enqueue({ text, event, more });
  }

  const tick = () => {
    for (const f of grouper.due()) fanOut(f.event, f.more);
  };
  const timer = o.autoTick === false ? null : setInterval(tick, Math.min(windowMs, 1000));
  (timer as { unref?: () => void } | null)?.unref?.();

  return {
    channels: o.channels,
    /** Never throws, never waits: safe on the request path. */
    emit(event: NotifyEvent): void {
      try {
        if (grouper.offer(event)) fanOut(event, 0);
      } catch {}
    },
    tick,
    /** Sends a test message now (no grouping, no cap) and reports each channel's answer. */
    async test(name?: string): Promise<TestResult[]> {
      const chosen = o.channels.filter((c) => !name || c.name === name || c.kind === name);
      const event: NotifyEvent = { type: "test", summary: "This is a test message from routectl notify test.", at: now() };
      const text = formatEvent(event, o.host);
      return Promise.all(
        chosen.map(async (ch) => {
          const r = await ch.send({ text, event, more: 0 }, AbortSignal.timeout(timeoutMs), 0);
          outcome(ch, r.ok ? "sent" : "failed", r.detail);
          return { channel: ch.name, kind: ch.kind, ok: r.ok, status: r.status, detail: r.detail };
        }),
      );
    },
    /** Waits for queued messages (bounded by the caller's deadline) and stops the timer. */
    async close(deadlineMs = 3000): Promise<void> {
      if (timer) clearInterval(timer);
      let t: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([Promise.all(senders.map((s) => s.idle())), new Promise((r) => (t = setTimeout(r, deadlineMs)))]);
      clearTimeout(t);
    },
  };
}

export type Notifier = ReturnType<typeof createNotifier>;
