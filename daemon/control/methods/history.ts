// stats.history: the hourly rollup over a period (stats/history.ts), read from the store, so it
// covers the time before this daemon started and other nodes' traffic on a shared database.
import { parseSpanMs } from "../../../shared/rpc/history-contract.ts";
import { RpcError } from "../../../shared/rpc/errors.ts";
import { buildHistory } from "../../stats/history.ts";
import type { Store } from "../../store/types.ts";
import type { Handlers } from "../server.ts";

/** Rollup rows read per call at most: 30 days × ~270 upstream × model × key combinations an hour. */
export const MAX_ROLLUP_ROWS = 200_000;

export function historyMethods(store: Store, now: () => number = Date.now) {
  return {
    "stats.history": async (p) => {
      const until = p.until ?? now();
      const since = typeof p.since === "number" ? p.since : until - parseSpanMs(p.since)!;
      const keys = await store.listKeys();
      let keyId: number | undefined;
      if (typeof p.key === "number") keyId = p.key;
      else if (p.key !== undefined) {
        keyId = keys.find((k) => k.name === p.key)?.id;
        if (keyId === undefined) throw new RpcError("not_found", `no client key named ${p.key}`, { key: p.key });
      }
      // One past the bound is enough to know it is too many: a long period is refused without being loaded.
      const rows = await store.readRollup({ since, until, upstream: p.upstream, model: p.model, keyId, limit: MAX_ROLLUP_ROWS + 1 });
      if (rows.length > MAX_ROLLUP_ROWS) throw new RpcError("invalid_params", `that period holds more than ${MAX_ROLLUP_ROWS} rollup rows; ask for a shorter one or filter by upstream, model or key`);
      const names = new Map(keys.map((k) => [k.id, k.name]));
      const keyName = (id: number) => (id === 0 ? "(shared)" : (names.get(id) ?? `#${id}`));
      return buildHistory(rows, { since, until, bucket: p.bucket ?? "hour", by: p.by ?? "upstream", keyName });
    },
  } satisfies Partial<Handlers>;
}
