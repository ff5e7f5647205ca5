// nodes: the routed processes sharing this one's database (heartbeats), and on SQLite this one alone.
import type { Command } from "commander";
import { formatMs } from "../../../shared/duration.ts";
import type { NodeView } from "../../../shared/rpc/cluster-contract.ts";
import { action } from "./action.ts";
import { uptime } from "./format.ts";
import { withDaemon } from "./backend.ts";
import { CliError, paint, printJson, printTable, type Output } from "./output.ts";

/**
 * Ages on the database's clock (the freshest beat), as the daemon judges staleness: how long each
 * node has been up as of its last beat, and how long ago that beat was. 80 columns without --stats.
 */
export function printNodes(o: Output, nodes: NodeView[], withStats: boolean): void {
  const ref = Math.max(...nodes.map((n) => n.beatAt));
  const headers = ["ID", "ADDRESS", "VERSION", "UP", "INFL", "LAST BEAT", "STATE", ...(withStats ? ["REQ", "ERR", "REQ/S"] : [])];
  const rows = nodes.map((n) => {
    const s = n.stats;
    const stats = withStats ? [s ? String(s.requests) : "-", s ? String(s.errors) : "-", s ? s.rps.toFixed(2) : "-"] : [];
    return [`${n.id}${n.self ? " *" : ""}`, n.address, n.version, uptime(Math.max(0, Math.round((n.beatAt - n.startedAt) / 1000))), String(n.inflight), `${formatMs(ref - n.beatAt)} ago`, n.state, ...stats];
  });
  const columns = headers.map((header, i) => ({ header, align: (i === 3 || i === 4 || i > 6 ? "right" : "left") as "left" | "right", flex: i === 1, min: 15 }));
  printTable(o, columns, rows, (text, row, col) => (col === 6 ? paint(o, rows[row]![6] === "live" ? "green" : "red", text) : text));
}

export function registerNodeCommands(program: Command): void {
  program
    .command("nodes")
    .description("the routed nodes sharing this database: address, version, in-flight, last heartbeat, live or stale (* marks the one answering)")
    .option("--stats", "add each node's requests, 5xx errors and req/s over its last minute")
    .option("--node <id>", "only this node (its id, or the end of it)")
    .action(
      action(async (ctx, opts: { stats?: boolean; node?: string }) => {
        const res = await withDaemon(ctx, (rpc) => rpc.call("cluster.nodes", {}));
        const nodes = opts.node ? res.nodes.filter((n) => n.id === opts.node || n.id.endsWith(opts.node!)) : res.nodes;
        if (opts.node && nodes.length !== 1) throw new CliError(nodes.length ? `"${opts.node}" matches ${nodes.length} nodes; give more of the id` : `no node "${opts.node}"; \`routectl nodes\` lists them`);
        if (ctx.g.json) return printJson(ctx.o, { ...res, nodes });
        printNodes(ctx.o, nodes, Boolean(opts.stats));
        if (!res.clustered) ctx.o.out(paint(ctx.o, "dim", "one node: the database is not shared (SQLite)"));
      }),
    );
}
