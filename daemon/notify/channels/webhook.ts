// Generic webhook: a JSON POST of the event. `text` makes it Slack-compatible as is.
import type { EventType } from "../events.ts";
import { deliver, type Channel, type FetchLike } from "./types.ts";

export function createWebhookChannel(o: { name: string; url: string; token?: string; events: ReadonlySet<EventType>; fetch: FetchLike }): Channel {
  return {
    name: o.name,
    kind: "webhook",
    target: new URL(o.url).host,
    events: o.events,
    send(msg, signal) {
      const e = msg.event;
      const body = {
        text: msg.text,
        type: e.type,
        upstream: e.upstream ?? null,
        key: e.key ?? null,
        summary: e.summary,
        detail: e.detail ?? {},
        excerpt: e.excerpt ?? null,
        more: msg.more,
        at: new Date(e.at).toISOString(),
      };
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (o.token) headers.authorization = `Bearer ${o.token}`;
      return deliver(o.fetch, o.url, { method: "POST", headers, body: JSON.stringify(body), signal });
    },
  };
}
