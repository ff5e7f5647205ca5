// notify list / notify test [CHANNEL]: see the alert channels and prove they deliver.
import type { Command } from "commander";
import { action } from "./action.ts";
import { withDaemon } from "./backend.ts";
import { CliError, paint, printJson, printTable } from "./output.ts";

export function registerNotifyCommands(program: Command): void {
  const notify = program.command("notify").description("alert channels (Feishu, Matrix, webhook) from the notify: block");

  notify
    .command("list")
    .description("the configured channels and the events each receives")
    .action(
      action(async (ctx) => {
        const { channels } = await withDaemon(ctx, (rpc) => rpc.call("notify.list", {}));
        if (ctx.g.json) return printJson(ctx.o, { channels });
        if (channels.length === 0) return ctx.o.out("no alert channel configured (add a notify: block to the upstreams file)");
        printTable(
          ctx.o,
          [{ header: "NAME" }, { header: "KIND" }, { header: "TARGET", flex: true }, { header: "EVENTS", flex: true }],
          channels.map((c) => [c.name, c.kind, c.target, c.events.join(", ")]),
        );
      }),
    );

  notify
    .command("test")
    .argument("[channel]", "a channel name or kind; default all")
    .description("send a test message now and report each channel's answer")
    .action(
      action(async (ctx, channel?: string) => {
        const { results } = await withDaemon(ctx, (rpc) => rpc.call("notify.test", channel ? { channel } : {}));
        if (ctx.g.json) printJson(ctx.o, { results });
        else {
          for (const r of results) {
            const mark = r.ok ? paint(ctx.o, "green", "ok    ") : paint(ctx.o, "red", "FAILED");
            ctx.o.out(`${mark} ${r.channel} (${r.kind}): ${r.status === null ? "no answer" : `HTTP ${r.status}`} ${r.detail}`.trimEnd());
          }
        }
        if (results.some((r) => !r.ok)) throw new CliError(`${results.filter((r) => !r.ok).length} of ${results.length} channels failed`);
      }),
    );
}
