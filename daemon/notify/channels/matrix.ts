// Matrix: PUT /_matrix/client/v3/rooms/{room}/send/m.room.message/{txnId} with an m.text body.
// The transaction id is unique per message and kept across retries, so a retry after a lost
// answer cannot post the message twice (the homeserver deduplicates by txnId).
import type { EventType } from "../events.ts";
import { deliver, type Channel, type FetchLike } from "./types.ts";

export function createMatrixChannel(o: { name: string; homeserver: string; token: string; room: string; events: ReadonlySet<EventType>; fetch: FetchLike; now: () => number }): Channel {
  const base = o.homeserver.replace(/\/+$/, "");
  let seq = 0;
  const txnIds = new WeakMap<object, string>();
  return {
    name: o.name,
    kind: "matrix",
    target: new URL(base).host,
    events: o.events,
    send(msg, signal) {
      let txn = txnIds.get(msg);
      if (!txn) txnIds.set(msg, (txn = `route-${o.now()}-${++seq}-${Math.random().toString(36).slice(2, 8)}`));
      const url = `${base}/_matrix/client/v3/rooms/${encodeURIComponent(o.room)}/send/m.room.message/${encodeURIComponent(txn)}`;
      return deliver(o.fetch, url, {
        method: "PUT",
        headers: { "content-type": "application/json", authorization: `Bearer ${o.token}` },
        body: JSON.stringify({ msgtype: "m.text", body: msg.text }),
        signal,
      });
    },
  };
}
