// Budget reservations decided by Postgres. budget_windows holds one row per key and window
// (spent, held); budget_holds splits `held` by node.
//
// reserve is ONE statement: an upsert of the window row whose conflict branch only adds the hold
// `where spent + held + micros <= budget`. ON CONFLICT DO UPDATE locks the row and evaluates that
// condition on its newest version, so concurrent reservations queue on the row lock and each sees
// the holds committed before it: they cannot overshoot together. The first use of a window is the
// insert branch (only when micros alone fit). The node's hold row is bumped in a CTE fed by the
// window row's RETURNING, so it changes exactly when the window row did, in the same statement.
//
// settle and releaseNode must subtract from the window what the node's hold row really holds (a
// node released as dead may still settle late; it must not release other nodes' holds). That
// needs the hold row's value read after the window row is locked, which a single statement cannot
// do (its snapshot predates the lock), so each is one short transaction: lock the window row(s)
// first, as reserve does, then move the hold. The same lock order everywhere: no deadlocks.
import type { BudgetStore } from "../types.ts";
import type { PgClient } from "./client.ts";

export function createBudgetStore(sql: PgClient): BudgetStore {
  return {
    async reserve({ keyId, windowStart, budgetMicros, micros, nodeId }) {
      const [held] = await sql<{ spent: string; held: string }[]>`
        with w as (
          insert into budget_windows as b (key_id, window_start, spent_micros, held_micros)
          select ${keyId}, ${windowStart}, 0, ${micros}::bigint where ${micros}::bigint <= ${budgetMicros}::bigint
          on conflict (key_id, window_start) do update set held_micros = b.held_micros + excluded.held_micros
            where b.spent_micros + b.held_micros + excluded.held_micros <= ${budgetMicros}::bigint
          returning spent_micros as spent, held_micros as held
        ), h as (
          insert into budget_holds as n (key_id, window_start, node_id, held_micros)
          select ${keyId}, ${windowStart}, ${nodeId}, ${micros}::bigint from w
          on conflict (key_id, window_start, node_id) do update set held_micros = n.held_micros + excluded.held_micros
        )
        select spent, held from w`;
      if (held) return { ok: true, spentMicros: Number(held.spent), heldMicros: Number(held.held) };
      // Refused: the totals as they stand now, for the caller's message (nothing was changed).
      const [now] = await sql<{ spent: string; held: string }[]>`
        select spent_micros as spent, held_micros as held from budget_windows where key_id = ${keyId} and window_start = ${windowStart}`;
      return { ok: false, spentMicros: Number(now?.spent ?? 0), heldMicros: Number(now?.held ?? 0) };
    },

    async settle({ keyId, windowStart, heldMicros, costMicros, nodeId }) {
      await sql.begin(async (tx) => {
        await tx`
          insert into budget_windows as b (key_id, window_start, spent_micros, held_micros) values (${keyId}, ${windowStart}, ${costMicros ?? 0}, 0)
          on conflict (key_id, window_start) do update set spent_micros = b.spent_micros + excluded.spent_micros`;
        await tx`
          with r as (
            select least(held_micros, ${heldMicros}::bigint) as amt from budget_holds
            where key_id = ${keyId} and window_start = ${windowStart} and node_id = ${nodeId}
          ), h as (
            update budget_holds set held_micros = held_micros - r.amt from r
            where key_id = ${keyId} and window_start = ${windowStart} and node_id = ${nodeId}
          )
          update budget_windows set held_micros = held_micros - r.amt from r where key_id = ${keyId} and window_start = ${windowStart}`;
      });
    },

    async spent(keyId, windowStart) {
      const [r] = await sql<{ spent: string }[]>`select spent_micros as spent from budget_windows where key_id = ${keyId} and window_start = ${windowStart}`;
      return Number(r?.spent ?? 0);
    },
    async releaseNode(nodeId) {
      await sql.begin(async (tx) => {
        const locked = await tx<{ key_id: number; window_start: string }[]>`
          select key_id, window_start from budget_windows
          where (key_id, window_start) in (select key_id, window_start from budget_holds where node_id = ${nodeId})
          order by key_id, window_start for update`;
        if (locked.length === 0) return;
        await tx`
          with r as (
            delete from budget_holds where node_id = ${nodeId}
              and (key_id, window_start) in (select * from unnest(${tx.array(locked.map((l) => l.key_id), 23)}::integer[], ${tx.array(locked.map((l) => l.window_start), 20)}::bigint[]))
            returning key_id, window_start, held_micros
          )
          update budget_windows b set held_micros = b.held_micros - r.held_micros from r
          where b.key_id = r.key_id and b.window_start = r.window_start`;
      });
    },
  };
}
