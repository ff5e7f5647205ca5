// Key spend that outlives the request log: before the retention job deletes rows, their per-key
// requests, tokens and money are folded into key_spend_days (one row per key and local day, in the
// delete's own transaction), and spend/usage add those days to the rows still there. A budget
// window starts at a local midnight, so `day_start >= since` counts exactly the deleted rows that
// fell in it (while the configured time zone is unchanged; a usage query from mid-day counts an
// archived day only if it starts at or after `since`).
import type { KeyUsage } from "./types.ts";

type Sums = Omit<KeyUsage, "keyId"> & { keyId: number | null };

/** Per-key usage from the rows plus the archived days (numbers: SQLite's sums can come back null). */
export function addUsage(rows: KeyUsage[], archived: Sums[]): KeyUsage[] {
  const out = new Map<number, KeyUsage>(rows.map((r) => [r.keyId, { ...r }]));
  for (const a of archived) {
    if (a.keyId === null) continue;
    const u = out.get(a.keyId) ?? { keyId: a.keyId, requests: 0, promptTokens: 0, completionTokens: 0, costMicros: 0, unpriced: 0 };
    u.requests = Number(u.requests) + Number(a.requests ?? 0);
    u.promptTokens = Number(u.promptTokens) + Number(a.promptTokens ?? 0);
    u.completionTokens = Number(u.completionTokens) + Number(a.completionTokens ?? 0);
    u.costMicros = Number(u.costMicros) + Number(a.costMicros ?? 0);
    u.unpriced = Number(u.unpriced) + Number(a.unpriced ?? 0);
    out.set(a.keyId, u);
  }
  return [...out.values()];
}

/**
 * The fold, as one statement both dialects run: rows of keys with ts in [from, to), all in one local
 * day starting at `day`, added to that day's archive row. Parameters: day, from, to.
 */
export const FOLD_SQL = (p: (i: number) => string) => `INSERT INTO key_spend_days (key_id, day_start, requests, prompt_tokens, completion_tokens, cost_micros, unpriced)
  SELECT key_id, ${p(1)}, count(*), coalesce(sum(prompt_tokens), 0), coalesce(sum(completion_tokens), 0), coalesce(sum(cost_micros), 0),
    sum(case when cost_micros is null and total_tokens is not null then 1 else 0 end)
  FROM request_logs WHERE ts >= ${p(2)} AND ts < ${p(3)} AND key_id IS NOT NULL GROUP BY key_id
  ON CONFLICT (key_id, day_start) DO UPDATE SET requests = key_spend_days.requests + excluded.requests,
    prompt_tokens = key_spend_days.prompt_tokens + excluded.prompt_tokens, completion_tokens = key_spend_days.completion_tokens + excluded.completion_tokens,
    cost_micros = key_spend_days.cost_micros + excluded.cost_micros, unpriced = key_spend_days.unpriced + excluded.unpriced`;
