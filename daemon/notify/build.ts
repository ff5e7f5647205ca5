// Turns the `notify:` config into channels and a notifier. Channel names default to their kind,
// numbered when a kind has several ("feishu", "feishu-2").
import { hostname } from "node:os";
import { createFeishuChannel } from "./channels/feishu.ts";
import { createMatrixChannel } from "./channels/matrix.ts";
import type { Channel, FetchLike } from "./channels/types.ts";
import { createWebhookChannel } from "./channels/webhook.ts";
import { EVENT_TYPES, type EventType } from "./events.ts";
import { createNotifier, type NotifierOptions } from "./notifier.ts";
import type { NotifyConfig } from "./schema.ts";

export function buildChannels(cfg: NotifyConfig | undefined, fetchFn: FetchLike = fetch, now: () => number = Date.now): Channel[] {
  if (!cfg) return [];
  const events = (list?: EventType[]) => new Set<EventType>([...(list ?? EVENT_TYPES), "test"]);
  const named = (kind: string, i: number, n: number, name?: string) => name ?? (n > 1 ? `${kind}-${i + 1}` : kind);
  return [
    ...(cfg.feishu ?? []).map((c, i, all) => createFeishuChannel({ ...c, name: named("feishu", i, all.length, c.name), events: events(c.events), fetch: fetchFn, now })),
    ...(cfg.matrix ?? []).map((c, i, all) => createMatrixChannel({ ...c, name: named("matrix", i, all.length, c.name), events: events(c.events), fetch: fetchFn, now })),
    ...(cfg.webhook ?? []).map((c, i, all) => createWebhookChannel({ ...c, name: named("webhook", i, all.length, c.name), events: events(c.events), fetch: fetchFn })),
  ];
}

export function notifierFromConfig(cfg: NotifyConfig | undefined, extra: Partial<NotifierOptions> = {}) {
  return createNotifier({
    channels: buildChannels(cfg, undefined, extra.now),
    host: hostname(),
    windowMs: cfg?.window,
    hourlyCap: cfg?.hourly_cap,
    ...extra,
  });
}
