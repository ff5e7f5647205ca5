// Feishu (Lark) custom bot: POST {msg_type:"text", content:{text}} to the webhook. With a signing
// secret, Feishu wants `timestamp` (seconds) and `sign` = base64(HMAC-SHA256 keyed by
// "<timestamp>\n<secret>" over an empty message), as its bot documentation specifies.
import { createHmac } from "node:crypto";
import type { EventType } from "../events.ts";
import { deliver, type Channel, type FetchLike } from "./types.ts";

export function feishuSign(timestamp: number, secret: string): string {
  return createHmac("sha256", `${timestamp}\n${secret}`).update("").digest("base64");
}

export function createFeishuChannel(o: { name: string; webhook: string; secret?: string; events: ReadonlySet<EventType>; fetch: FetchLike; now: () => number }): Channel {
  return {
    name: o.name,
    kind: "feishu",
    target: new URL(o.webhook).host,
    events: o.events,
    send(msg, signal) {
      const body: Record<string, unknown> = { msg_type: "text", content: { text: msg.text } };
      if (o.secret) {
        const timestamp = Math.floor(o.now() / 1000);
        body.timestamp = String(timestamp);
        body.sign = feishuSign(timestamp, o.secret);
      }
      // Feishu answers 200 with a non-zero `code` for a bad signature or a disabled bot.
      const judge = (text: string) => {
        try {
          const r = JSON.parse(text);
          const code = r.code ?? r.StatusCode ?? 0;
          return code === 0 ? null : `Feishu refused: code ${code} ${r.msg ?? r.StatusMessage ?? ""}`.trim();
        } catch {
          return null;
        }
      };
      return deliver(o.fetch, o.webhook, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body), signal }, judge);
    },
  };
}
