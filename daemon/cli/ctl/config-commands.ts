// status, reload, import, export.
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { maskSecret } from "../../../shared/secrets.ts";
import type { UpstreamView } from "../../../shared/rpc/contract.ts";
import { toUpstreamViews, viewOne } from "../../control/views.ts";
import { renderRouteYaml } from "../../upstreams/export.ts";
import { action } from "./action.ts";
import { withDaemon, withDaemonOrDb, withDb, type Ctx } from "./backend.ts";
import { printStatus } from "./format.ts";
import { parseImportFile, type ImportedUpstream } from "./import-formats.ts";
import { CliError, printJson } from "./output.ts";

/** Already there: same name, or (unnamed) same endpoint and same key ending. Re-importing is harmless. */
function present(existing: UpstreamView[], u: ImportedUpstream): boolean {
  if (u.name) return existing.some((e) => e.name === u.name);
  return existing.some((e) => e.endpoint === u.endpoint && e.sk === maskSecret(u.sk));
}

async function importFile(ctx: Ctx, file: string) {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new CliError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const plan = parseImportFile(file, text);
  const run = async (list: () => Promise<UpstreamView[]>, add: (u: ImportedUpstream) => Promise<UpstreamView>) => {
    const existing = await list();
    const added: UpstreamView[] = [];
    const skipped: string[] = [];
    for (const u of plan.upstreams) {
      if (present(existing, u)) skipped.push(u.name ?? u.endpoint);
      else added.push(await add(u));
    }
    return { added, skipped };
  };
  const result = await withDaemonOrDb(
    ctx,
    (rpc) => run(async () => (await rpc.call("upstreams.list", {})).upstreams, (u) => rpc.call("upstreams.add", u)),
    (svc) => run(async () => toUpstreamViews(await svc.list()), async (u) => viewOne(await svc.list(), await svc.add(u))),
    true,
  );
  if (ctx.g.json) return printJson(ctx.o, { format: plan.format, ...result, notes: plan.notes });
  ctx.o.out(`imported ${result.added.length} upstream${result.added.length === 1 ? "" : "s"} from ${file} (${plan.format} format)`);
  for (const u of result.added) ctx.o.out(`  + ${u.label} (id ${u.id}) ${u.endpoint}${u.enabled ? "" : ", disabled"}`);
  for (const s of result.skipped) ctx.o.out(`  = ${s}: already present, skipped`);
  for (const n of plan.notes) ctx.o.out(`  note: ${n}`);
}

export function registerConfigCommands(program: Command): void {
  program
    .command("status")
    .description("the daemon: version, uptime, addresses, database, counts")
    .action(
      action(async (ctx) => {
        const s = await withDaemon(ctx, (rpc) => rpc.call("daemon.status", {}));
        ctx.g.json ? printJson(ctx.o, s) : printStatus(ctx.o, s);
      }),
    );

  program
    .command("reload")
    .description("re-read the upstreams file and apply it now (same as SIGHUP)")
    .action(
      action(async (ctx) => {
        const r = await withDaemon(ctx, (rpc) => rpc.call("config.reload", {}));
        if (ctx.g.json) return printJson(ctx.o, r);
        if (!r.file) return ctx.o.out("routed was started without an upstreams file; nothing to reload");
        ctx.o.out(`reloaded ${r.file}${r.found ? "" : " (missing: no file upstreams)"}: ${r.added} added, ${r.updated} updated, ${r.removed} removed; ${r.upstreams} upstreams`);
      }),
    );

  program
    .command("import")
    .argument("<file>", "openai-api-route's upstreams.yaml or api-together's apis.json")
    .description("add the upstreams a file lists (works with routed down, given --db)")
    .action(action(importFile));

  program
    .command("export")
    .description("print Route's YAML for the current upstreams (keys masked; with --db, read in full from the database)")
    .action(
      action(async (ctx) => {
        // Full keys only when --db was given on the command line: never from an environment default.
        const fromDb = ctx.cmd?.getOptionValueSourceWithGlobals("db") === "cli";
        const yaml = fromDb
          ? await withDb(ctx, false, async (_svc, store) => renderRouteYaml(await store.listUpstreams(), { maskKeys: false }))
          : (await withDaemon(ctx, (rpc) => rpc.call("config.export", {}))).yaml;
        if (fromDb && !ctx.g.json) ctx.o.err("routectl: keys are in full in this output: keep it private");
        ctx.g.json ? printJson(ctx.o, { yaml }) : ctx.o.out(yaml.trimEnd());
      }),
    );
}
