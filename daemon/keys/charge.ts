// A finished request's money: its row is priced (every row with tokens, so spend per upstream and
// model is known for shared keys too) and the client key's reservation settled with that cost.
// Runs where the row is built (the log writer's batch), off the response path.
import type { RequestContext } from "../proxy/context.ts";
import type { Usage } from "../proxy/reply.ts";
import type { Pricer } from "../billing/prices.ts";
import type { LogRow } from "../store/types.ts";

/** The price side the row needs (daemon/billing/prices.ts). */
export type Coster = Pick<Pricer, "cost">;

export function chargeRow(row: LogRow, ctx: RequestContext, coster: Coster | null): void {
  const ticket = ctx.keyTicket;
  if (row.bodiesDropped && ticket) {
    // The reply was released under log backlog before its usage was read: the reservation (the
    // most the request could cost) is what it is charged, never nothing.
    row.costMicros = ticket.reservedMicros;
    row.priceSource = "reservation (reply not kept)";
  } else if (coster && row.totalTokens !== null) {
    const usage: Usage = {
      promptTokens: row.promptTokens,
      completionTokens: row.completionTokens,
      totalTokens: row.totalTokens,
      cachedTokens: row.cachedTokens,
      cacheWriteTokens: row.cacheWriteTokens,
      reasoningTokens: row.reasoningTokens,
    };
    const c = coster.cost({ model: row.upstreamModel ?? row.model, upstream: ctx.upstream, usage });
    if (c) {
      row.costMicros = c.micros;
      row.priceSource = c.source;
    }
  }
  // No usage known (bodies dropped before the reply was read): the TPM estimate stands, as for upstreams.
  ticket?.settle(row.costMicros, row.bodiesDropped ? null : (row.totalTokens ?? 0));
}

/** A request whose row could not be built or was dropped: its key is charged the reservation. */
export function chargeLost(ctx: RequestContext): void {
  ctx.keyTicket?.settle(ctx.keyTicket.reservedMicros, null);
}
